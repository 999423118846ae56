// The API's description as a page: reads /api/openapi.json (built from the routes themselves) and
// shows each route with its parameters, request body and answers, then the shapes of the answers.
// Plain JavaScript, no build step; every text reaches the page as text (never innerHTML).

const METHODS = ["get", "post", "put", "patch", "delete"];
const TAG_TITLES = { models: "Models", search: "Search", index: "The index", admin: "Administration" };

const docs = document.getElementById("docs");
const status = document.getElementById("docs-status");

/** An element with attributes and children; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const refName = (ref) => String(ref).split("/").pop();
const schemaId = (name) => `schema-${name}`;
const operationId = (method, path) => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "");

/** A schema in words: "text, at most 500 characters", "list of Tag", a link for a $ref. */
function typeOf(schema) {
  if (!schema || typeof schema !== "object") return "any";
  if (schema.$ref) return h("a", { href: `#${schemaId(refName(schema.$ref))}` }, refName(schema.$ref));
  if (Array.isArray(schema.enum)) return ["one of ", schema.enum.map((v, i) => [i > 0 ? ", " : "", h("code", {}, JSON.stringify(v))])];
  const limits = [];
  if (schema.type === "array") {
    if (schema.minItems !== undefined) limits.push(`at least ${schema.minItems}`);
    if (schema.maxItems !== undefined) limits.push(`at most ${schema.maxItems}`);
    return ["list of ", typeOf(schema.items), limits.length ? ` (${limits.join(", ")})` : ""];
  }
  const names = { string: "text", integer: "whole number", number: "number", boolean: "true or false", object: "object" };
  const kind = names[schema.type] || schema.type || "any";
  if (schema.minLength > 1) limits.push(`at least ${schema.minLength} characters`);
  if (schema.minLength === 1) limits.push("not empty");
  if (schema.maxLength !== undefined) limits.push(`at most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) limits.push(`${schema.minimum} to ${schema.maximum}`);
  else if (schema.minimum !== undefined) limits.push(`at least ${schema.minimum}`);
  else if (schema.maximum !== undefined) limits.push(`at most ${schema.maximum}`);
  if (schema.default !== undefined) limits.push(`default ${JSON.stringify(schema.default)}`);
  return limits.length ? `${kind}, ${limits.join(", ")}` : kind;
}

/** An object schema's fields as a table (nested objects get a table of their own). */
function fieldsTable(schema) {
  const properties = Object.entries(schema.properties || {});
  if (properties.length === 0) return null;
  const required = new Set(schema.required || []);
  return h(
    "table",
    { class: "fields" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Description"))),
    h(
      "tbody",
      {},
      properties.map(([name, property]) => {
        const nested = property.type === "array" ? property.items : property;
        return h(
          "tr",
          {},
          h("th", { scope: "row" }, h("code", {}, name), required.has(name) ? h("span", { class: "badge required" }, "required") : null),
          h("td", {}, typeOf(property)),
          h("td", {}, property.description || "", property.example !== undefined ? h("span", { class: "muted" }, ` e.g. ${JSON.stringify(property.example)}`) : null, nested && nested.properties ? fieldsTable(nested) : null),
        );
      }),
    ),
  );
}

function parametersTable(parameters) {
  return h(
    "table",
    { class: "fields" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Parameter"), h("th", { scope: "col" }, "In"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Description"))),
    h(
      "tbody",
      {},
      parameters.map((p) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, h("code", {}, p.name), p.required ? h("span", { class: "badge required" }, "required") : null),
          h("td", {}, p.in === "query" && p.schema && p.schema.type === "array" ? "query (repeat it)" : p.in),
          h("td", {}, typeOf(p.schema)),
          h("td", {}, p.description || ""),
        ),
      ),
    ),
  );
}

function responsesTable(responses) {
  return h(
    "table",
    { class: "fields responses" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Body"))),
    h(
      "tbody",
      {},
      Object.entries(responses).map(([code, response]) => {
        const content = Object.entries(response.content || {});
        return h(
          "tr",
          {},
          h("th", { scope: "row" }, code),
          h("td", {}, response.description || ""),
          h(
            "td",
            {},
            content.map(([type, media], i) => [i > 0 ? "; " : "", typeOf(media.schema), type === "application/json" ? "" : h("span", { class: "muted" }, ` (${type})`)]),
          ),
        );
      }),
    ),
  );
}

function renderOperation(method, path, op) {
  const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  return h(
    "section",
    { class: "operation", id: operationId(method, path), "aria-label": `${method.toUpperCase()} ${path}` },
    h("h3", {}, h("span", { class: `method method-${method}` }, method.toUpperCase()), " ", h("code", { class: "path" }, path)),
    h("p", {}, op.summary || ""),
    op.description ? h("p", { class: "muted" }, op.description) : null,
    op.security ? h("p", {}, h("span", { class: "badge required" }, "bearer token"), " Send ", h("code", {}, "Authorization: Bearer <token>"), ".") : null,
    op.parameters && op.parameters.length ? [h("h4", {}, "Parameters"), parametersTable(op.parameters)] : null,
    body ? [h("h4", {}, "Request body (JSON)"), fieldsTable(body.schema) || h("p", {}, typeOf(body.schema))] : null,
    h("h4", {}, "Answers"),
    responsesTable(op.responses || {}),
  );
}

function render(doc) {
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) if (item[method]) operations.push({ method, path, op: item[method] });
  }
  const tags = [...new Set(operations.map((o) => (o.op.tags && o.op.tags[0]) || "other"))];
  const schemas = Object.entries((doc.components && doc.components.schemas) || {});
  document.title = `${doc.info.title} API ${doc.info.version} — Finding models`;
  const content = [
    h("h1", {}, `${doc.info.title} HTTP API `, h("span", { class: "muted version" }, doc.info.version)),
    h("p", { class: "description" }, doc.info.description || ""),
    h("p", { class: "muted" }, "Every error answer is ", h("a", { href: `#${schemaId("Error")}` }, "Error"), ": its message says what is wrong. The machine-readable description: ", h("a", { href: "/api/openapi.json" }, "/api/openapi.json"), " (OpenAPI ", doc.openapi, ")."),
    h(
      "nav",
      { class: "toc", "aria-label": "Routes" },
      h(
        "ul",
        {},
        operations.map((o) => h("li", {}, h("a", { href: `#${operationId(o.method, o.path)}` }, h("span", { class: `method method-${o.method}` }, o.method.toUpperCase()), " ", h("code", {}, o.path)), " ", h("span", { class: "muted" }, o.op.summary || ""))),
      ),
    ),
    tags.map((tag) => [
      h("h2", {}, TAG_TITLES[tag] || tag),
      operations.filter((o) => ((o.op.tags && o.op.tags[0]) || "other") === tag).map((o) => renderOperation(o.method, o.path, o.op)),
    ]),
    h("h2", {}, "Shapes of the answers"),
    schemas.map(([name, schema]) =>
      h(
        "section",
        { class: "schema", id: schemaId(name), "aria-label": name },
        h("h3", {}, h("code", {}, name)),
        schema.description ? h("p", {}, schema.description) : null,
        fieldsTable(schema) || h("p", {}, typeOf(schema)),
      ),
    ),
  ];
  docs.replaceChildren(...content.flat(Infinity).filter(Boolean));
  status.textContent = "";
  status.hidden = true;
  // A link to a section (#get-api-search) lands there once the page exists.
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
}

fetch("/api/openapi.json", { headers: { Accept: "application/json" } })
  .then((response) => {
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    return response.json();
  })
  .then(render)
  .catch((error) => {
    status.textContent = `Could not load the API description: ${error.message}`;
  });
