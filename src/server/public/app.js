// The web page of findingmodel: search as you type with tag filters, and a page per model at
// /models/<OIFM ID>. Plain JavaScript, no build step. Model text is untrusted: it only ever
// reaches the page as text nodes and attribute values set through the DOM (never innerHTML),
// and links taken from models must be http(s) or mailto.

import { LIST_PAGE as BROWSE_PAGE, MAX_LIMIT, MAX_QUERY_LENGTH, MAX_TAG_LENGTH, sameRoot, STOP_WORDS, tagKey, WORD, wordsOf } from "./rules.js";

const PAGE = 25; // results shown at first; "Show more" adds as many again, up to the API's MAX_LIMIT
const TOP_TAGS = 14;
const DEBOUNCE_MS = 60;

const $ = (id) => document.getElementById(id);
const input = $("q");
const modeToggle = $("mode-toggle");
const hybridBox = $("hybrid");
hybridBox.addEventListener("change", () => {
  state.lexical = !hybridBox.checked;
  history.replaceState(history.state, "", searchUrl());
  runSearch();
});
const results = $("results");
const statusLine = $("status");
const more = $("more");
const searchView = $("search-view");
const modelView = $("model-view");

const state = { q: "", tags: [], limit: PAGE, browseOffset: 0, lexical: false };
let allTags = []; // [{tag, count}], most used first
let lastOpened = null; // the result opened last, to return focus to it

// --- building DOM safely -------------------------------------------------------------------

/** An element with attributes and children; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// --- the query's words, as the server's search reads them (rules.js, written from the index's rules) ---

input.maxLength = MAX_QUERY_LENGTH;
$("tag-input").maxLength = MAX_TAG_LENGTH;

/** The query's words, lower-cased, without stop words when others remain. */
function queryTerms(query) {
  const words = wordsOf(query);
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  return meaningful.length > 0 ? meaningful : words;
}

/** Whether `text` has a word that is one of `terms` in some form. */
function holdsTerm(text, term) {
  return wordsOf(text).some((w) => sameRoot(w, term));
}

/** `text` with each whole word that matches a word of `query` marked (as text nodes and <mark> elements). */
function highlight(text, query) {
  const terms = queryTerms(query).filter((w) => w.length > 1 || query.trim().length === 1);
  if (terms.length === 0) return [text];
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    if (!terms.some((t) => sameRoot(word, t))) continue;
    parts.push(text.slice(last, match.index), h("mark", {}, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== "");
}

/**
 * The attributes through which `entry` matched `query`: those whose name holds a word of the query
 * that the name, synonyms, description and tags do not (the search reads attribute names too).
 */
function matchedAttributes(entry, query) {
  const shown = [entry.name, ...entry.synonyms, entry.description, ...entry.tags].join("\n");
  const elsewhere = queryTerms(query).filter((t) => !holdsTerm(shown, t));
  if (elsewhere.length === 0) return [];
  return (entry.attributes || []).filter((a) => elsewhere.some((t) => holdsTerm(a.name, t)));
}

/** A link from a model's data, only if it is http(s); otherwise null. */
function safeHttpUrl(url) {
  try {
    const u = new URL(String(url));
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

function modelPath(id) {
  return `/models/${encodeURIComponent(id)}`;
}

// --- fetching --------------------------------------------------------------------------------

const responses = new Map(); // url -> parsed JSON (a small client-side cache)
let inflight = null;

/** GET a JSON answer; a newer call aborts the one before (typing fast sends no backlog). */
async function getJSON(url, { abortPrevious = true } = {}) {
  if (responses.has(url)) return responses.get(url);
  if (abortPrevious && inflight) inflight.abort();
  const controller = new AbortController();
  if (abortPrevious) inflight = controller;
  const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((body && body.message) || `the server answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  if (responses.size > 300) responses.delete(responses.keys().next().value);
  responses.set(url, body);
  return body;
}

// --- routing ---------------------------------------------------------------------------------

function navigate(url, { replace = false, fromSearch = false } = {}) {
  if (replace) history.replaceState({ fromSearch }, "", url);
  else history.pushState({ fromSearch }, "", url);
  route();
}

function route() {
  const match = /^\/models\/([^/]+)\/?$/.exec(location.pathname);
  if (match) {
    let key;
    try {
      key = decodeURIComponent(match[1]);
    } catch {
      key = match[1];
    }
    showModel(key);
  } else {
    const params = new URLSearchParams(location.search);
    state.q = params.get("q") || "";
    state.tags = params.getAll("tag").filter((t) => t.trim() !== "");
    // Hybrid (words and meaning) is the server's default where it has it; the toggle turns it off.
    state.lexical = params.get("mode") === "lexical";
    hybridBox.checked = !state.lexical;
    state.limit = PAGE;
    state.browseOffset = 0;
    showSearch();
  }
}

/** Keep the address bar in step with the search, so a search can be shared too. */
function searchUrl() {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set("q", state.q);
  for (const t of state.tags) params.append("tag", t);
  if (state.lexical) params.set("mode", "lexical");
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

// Same-origin links to pages of the app navigate in place (new tab, modified clicks left alone).
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !(url.pathname === "/" || url.pathname.startsWith("/models/"))) return;
  event.preventDefault();
  const fromSearch = !searchView.hidden && url.pathname.startsWith("/models/");
  if (fromSearch) lastOpened = link.dataset.id || null;
  navigate(url.pathname + url.search, { fromSearch });
});

window.addEventListener("popstate", route);

// --- search view -----------------------------------------------------------------------------

function showSearch() {
  modelView.hidden = true;
  searchView.hidden = false;
  document.title = state.q.trim() ? `${state.q.trim()} — Finding models` : "Finding models";
  if (input.value !== state.q) input.value = state.q;
  renderTagChips();
  runSearch().then(() => {
    const back = lastOpened && results.querySelector(`a[data-id="${CSS.escape(lastOpened)}"]`);
    if (back) back.focus();
    else if (document.activeElement !== input) input.focus();
    lastOpened = null;
  });
}

let timer = null;
input.addEventListener("input", () => {
  state.q = input.value;
  state.limit = PAGE;
  state.browseOffset = 0;
  history.replaceState(history.state, "", searchUrl());
  clearTimeout(timer);
  timer = setTimeout(runSearch, DEBOUNCE_MS);
});

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const first = results.querySelector("a.result");
  if (first) first.click();
});

let searchSeq = 0;
async function runSearch() {
  const seq = ++searchSeq;
  const q = state.q.trim();
  try {
    if (q === "") {
      if (state.tags.length > 0) {
        results.replaceChildren();
        more.hidden = true;
        statusLine.textContent = `Type a word to search the models tagged ${state.tags.join(" + ")}.`;
        return;
      }
      const page = await getJSON(`/api/models?limit=${BROWSE_PAGE}&offset=${state.browseOffset}`);
      if (seq !== searchSeq) return;
      $("total").textContent = `${page.total.toLocaleString("en")} models`;
      renderResults(page.items, "", state.browseOffset > 0);
      const shown = state.browseOffset + page.items.length;
      statusLine.textContent = `All ${page.total.toLocaleString("en")} models by name (1–${shown.toLocaleString("en")} shown).`;
      more.hidden = shown >= page.total;
      more.onclick = () => {
        state.browseOffset = shown;
        runSearch();
      };
      return;
    }
    const params = new URLSearchParams({ q, limit: String(state.limit) });
    for (const t of state.tags) params.append("tag", t);
    if (!modeToggle.hidden) params.set("mode", state.lexical ? "lexical" : "hybrid");
    const answer = await getJSON(`/api/search?${params}`);
    if (seq !== searchSeq) return;
    renderResults(answer.results, q, false);
    const n = answer.results.length;
    const within = state.tags.length > 0 ? ` tagged ${state.tags.join(" + ")}` : "";
    statusLine.textContent = n === 0 ? `No models match “${q}”${within}.` : `${n}${n === state.limit ? "+" : ""} model${n === 1 ? "" : "s"} match “${q}”${within}. Enter opens the first.`;
    // A hybrid search answered by words only says why (the embeddings service is down, ...).
    if (answer.note) statusLine.textContent += ` (By words only: ${answer.note}.)`;
    more.hidden = n < state.limit || state.limit >= MAX_LIMIT;
    more.onclick = () => {
      state.limit = Math.min(MAX_LIMIT, state.limit + PAGE);
      runSearch();
    };
  } catch (error) {
    if (error.name === "AbortError" || seq !== searchSeq) return;
    results.replaceChildren();
    more.hidden = true;
    statusLine.textContent = `Could not search: ${error.message}`;
  }
}

function renderResults(entries, q, appendToList) {
  const items = entries.map((e) =>
    h(
      "li",
      {},
      h(
        "a",
        { class: "result", href: modelPath(e.oifm_id), "data-id": e.oifm_id },
        h("span", { class: "result-head" }, h("span", { class: "result-name" }, highlight(e.name, q)), " ", h("code", { class: "id" }, e.oifm_id)),
        e.synonyms.length > 0 ? h("span", { class: "result-synonyms" }, "Also: ", highlight(e.synonyms.join(", "), q)) : null,
        e.description ? h("span", { class: "result-desc" }, e.description) : null,
        renderMatchedAttributes(e, q),
        e.tags.length > 0 ? h("span", { class: "result-tags" }, e.tags.map((t) => h("span", { class: "tag" }, t))) : null,
      ),
    ),
  );
  // New results while one is focused (arrowing down as the last keystroke's answer arrives) keep
  // the focus on the same model, or hand it back to the box; it is never lost to the page.
  const focusedId = results.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  if (appendToList) append(results, items);
  else results.replaceChildren(...items);
  if (focusedId !== null && !results.contains(document.activeElement)) {
    const same = results.querySelector(`a[data-id="${CSS.escape(focusedId || "")}"]`);
    (same || input).focus();
  }
}

/** "matched attribute: Margin", for a result the query's words reached only through attributes. */
function renderMatchedAttributes(entry, q) {
  if (!q) return null;
  const attributes = matchedAttributes(entry, q);
  if (attributes.length === 0) return null;
  return h(
    "span",
    { class: "result-matched" },
    attributes.length === 1 ? "matched attribute: " : "matched attributes: ",
    attributes.map((a, i) => [i > 0 ? ", " : "", h("span", { class: "attribute-name" }, highlight(a.name.trim(), q))]),
  );
}

// Arrow keys move through the results; Escape goes back to the box; typing goes to the box.
input.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown") {
    const first = results.querySelector("a.result");
    if (first) {
      event.preventDefault();
      first.focus();
    }
  } else if (event.key === "Escape" && input.value !== "") {
    event.preventDefault();
    input.value = "";
    input.dispatchEvent(new Event("input"));
  }
});

results.addEventListener("keydown", (event) => {
  const links = [...results.querySelectorAll("a.result")];
  const i = links.indexOf(document.activeElement);
  if (i < 0) return;
  const go = (target) => {
    event.preventDefault();
    target.focus();
  };
  if (event.key === "ArrowDown" && i < links.length - 1) go(links[i + 1]);
  else if (event.key === "ArrowDown" && !more.hidden) go(more);
  else if (event.key === "ArrowUp") go(i > 0 ? links[i - 1] : input);
  else if (event.key === "Home") go(links[0]);
  else if (event.key === "End") go(links[links.length - 1]);
  else if (event.key === "Escape") go(input);
  else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && event.key !== " ") input.focus();
});

more.addEventListener("keydown", (event) => {
  if (event.key === "ArrowUp") {
    const links = results.querySelectorAll("a.result");
    if (links.length > 0) {
      event.preventDefault();
      links[links.length - 1].focus();
    }
  }
});

// --- tag filters -----------------------------------------------------------------------------

async function loadTags() {
  try {
    allTags = await getJSON("/api/tags", { abortPrevious: false });
  } catch {
    allTags = [];
  }
  const list = $("tag-list");
  list.replaceChildren(...allTags.map((t) => h("option", { value: t.tag }, `${t.tag} (${t.count})`)));
  renderTagChips();
}

function renderTagChips() {
  const top = allTags.slice(0, TOP_TAGS).map((t) => t.tag);
  const chosenElsewhere = state.tags.filter((t) => !top.some((x) => tagKey(x) === tagKey(t)));
  const counts = new Map(allTags.map((t) => [tagKey(t.tag), t.count]));
  const chips = [...chosenElsewhere, ...top].map((tag) => {
    const on = state.tags.some((t) => tagKey(t) === tagKey(tag));
    const count = counts.get(tagKey(tag));
    return h(
      "button",
      { type: "button", class: "chip", "aria-pressed": on ? "true" : "false", "data-tag": tag, title: count ? `${count} models` : undefined, onclick: () => toggleTag(tag) },
      tag,
    );
  });
  $("tag-chips").replaceChildren(...chips);
}

function toggleTag(tag) {
  const key = tagKey(tag);
  state.tags = state.tags.some((t) => tagKey(t) === key) ? state.tags.filter((t) => tagKey(t) !== key) : [...state.tags, tag];
  state.limit = PAGE;
  history.replaceState(history.state, "", searchUrl());
  renderTagChips();
  runSearch();
  const chip = $("tag-chips").querySelector(`[data-tag="${CSS.escape(tag)}"]`);
  if (chip) chip.focus();
}

$("tag-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = $("tag-input");
  const wanted = tagKey(field.value.trim());
  const known = allTags.find((t) => tagKey(t.tag) === wanted);
  if (!known) {
    statusLine.textContent = wanted ? `No model has the tag “${field.value.trim()}”.` : statusLine.textContent;
    return;
  }
  field.value = "";
  if (!state.tags.some((t) => tagKey(t) === wanted)) toggleTag(known.tag);
});

// --- model view ------------------------------------------------------------------------------

let modelSeq = 0;
async function showModel(key) {
  const seq = ++modelSeq;
  searchView.hidden = true;
  modelView.hidden = false;
  modelView.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const model = await getJSON(`/api/models/${encodeURIComponent(key)}/full`, { abortPrevious: false });
    if (seq !== modelSeq) return;
    // A model reached by name or synonym gets its ID address, the one to share.
    if (key !== model.oifm_id) history.replaceState(history.state, "", modelPath(model.oifm_id));
    renderModel(model);
  } catch (error) {
    if (seq !== modelSeq) return;
    document.title = "Not found — Finding models";
    modelView.replaceChildren(
      h("p", { class: "back" }, h("a", { href: "/" }, "← Search")),
      h("h1", { tabindex: "-1" }, error.status === 404 ? "No such model" : "Could not load the model"),
      h("p", {}, error.message),
    );
  }
  window.scrollTo(0, 0);
  const heading = modelView.querySelector("h1");
  if (heading) heading.focus();
}

function codes(list) {
  if (!Array.isArray(list) || list.length === 0) return null;
  return h(
    "span",
    { class: "codes" },
    list.map((c) => {
      const url = codeUrl(c);
      const code = h("code", {}, c.code);
      return h(
        "span",
        { class: "code" },
        h("span", { class: "system" }, c.system),
        " ",
        url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", title: `${c.code} in ${browserName(c)} (opens in a new tab)` }, code) : code,
        c.display ? ` ${c.display}` : "",
      );
    }),
  );
}

/** "SNOMED CT" -> "SNOMEDCT": the registry spells systems in capitals, some with a space or dash. */
const systemKey = (c) => String(c.system || "").toUpperCase().replace(/[^A-Z]/g, "");

/** A code's page in its public browser (RadLex and SNOMED CT codes of the expected form), or null. */
function codeUrl(c) {
  const code = String(c.code || "");
  const system = systemKey(c);
  if (system === "RADLEX" && /^RID\d+$/.test(code)) return `https://radlex.org/RID/${code}`;
  if ((system === "SNOMED" || system === "SNOMEDCT") && /^\d+$/.test(code)) {
    return `https://browser.ihtsdotools.org/?perspective=full&conceptId1=${code}&edition=MAIN&release=&languages=en`;
  }
  return null;
}

function browserName(c) {
  return systemKey(c) === "RADLEX" ? "RadLex" : "the SNOMED CT browser";
}

function field(label, value) {
  return value === null || value === undefined || value === "" ? null : [h("dt", {}, label), h("dd", {}, value)];
}

function renderModel(m) {
  document.title = `${m.name} — Finding models`;
  const attributes = Array.isArray(m.attributes) ? m.attributes : [];
  const contributors = Array.isArray(m.contributors) ? m.contributors : [];
  modelView.replaceChildren();
  append(modelView, [
    h("p", { class: "back" }, h("a", { href: searchUrlOrHome(), id: "back-link" }, "← Search"), h("span", { class: "muted" }, " (Esc)")),
    h("header", { class: "model-head" }, h("h1", { tabindex: "-1" }, m.name), h("code", { class: "id", id: "model-id" }, m.oifm_id)),
    m.description ? h("p", { class: "description" }, m.description) : null,
    h(
      "dl",
      { class: "facts" },
      field("Synonyms", m.synonyms && m.synonyms.length ? m.synonyms.join(", ") : null),
      field("Tags", m.tags && m.tags.length ? h("span", {}, m.tags.map((t) => h("a", { class: "tag", href: `/?tag=${encodeURIComponent(t)}` }, t))) : null),
      field("Codes", codes(m.index_codes)),
    ),
    h("h2", {}, `Attributes (${attributes.length})`),
    attributes.map(renderAttribute),
    contributors.length > 0 ? [h("h2", {}, "Contributors"), h("ul", { class: "contributors" }, contributors.map(renderContributor))] : null,
    h(
      "p",
      { class: "downloads muted" },
      "As ",
      h("a", { href: `/api/models/${encodeURIComponent(m.oifm_id)}/full` }, "JSON"),
      " · ",
      h("a", { href: `/api/models/${encodeURIComponent(m.oifm_id)}/markdown` }, "Markdown"),
    ),
  ]);
}

function renderAttribute(a) {
  const isChoice = a.type === "choice";
  const how = isChoice ? (a.max_selected > 1 ? `choose up to ${a.max_selected}` : "choose one") : "number";
  return h(
    "section",
    { class: "attribute", "aria-label": a.name },
    h("h3", {}, a.name, " ", h("code", { class: "id" }, a.oifma_id), " ", h("span", { class: "badge" }, how), a.required ? h("span", { class: "badge required" }, "required") : null),
    a.description ? h("p", {}, a.description) : null,
    a.index_codes && a.index_codes.length ? h("p", { class: "attr-codes" }, "Codes: ", codes(a.index_codes)) : null,
    isChoice ? renderValues(a.values || []) : renderNumeric(a),
  );
}

/** The values of a choice: name and code, and a description and codes column only when some value has one. */
function renderValues(values) {
  const withDescription = values.some((v) => v.description);
  const withCodes = values.some((v) => Array.isArray(v.index_codes) && v.index_codes.length > 0);
  return h(
    "table",
    { class: "values" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Value"),
        h("th", { scope: "col" }, "Code"),
        withDescription ? h("th", { scope: "col" }, "Description") : null,
        withCodes ? h("th", { scope: "col" }, "Index codes") : null,
      ),
    ),
    h(
      "tbody",
      {},
      values.map((v) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, v.name),
          h("td", {}, h("code", {}, v.value_code || "")),
          withDescription ? h("td", {}, v.description || "") : null,
          withCodes ? h("td", {}, codes(v.index_codes)) : null,
        ),
      ),
    ),
  );
}

function renderNumeric(a) {
  return h(
    "dl",
    { class: "facts numeric" },
    field("Minimum", a.minimum ?? null),
    field("Maximum", a.maximum ?? null),
    field("Unit", a.unit || null),
  );
}

function renderContributor(c) {
  if ("github_username" in c) {
    const url = safeHttpUrl(c.url);
    const email = typeof c.email === "string" && /^[^\s@<>"]+@[^\s@<>"]+$/.test(c.email) ? c.email : null;
    return h(
      "li",
      {},
      h("strong", {}, c.name),
      c.organization_code ? ` (${c.organization_code})` : "",
      email ? [" · ", h("a", { href: `mailto:${email}` }, email)] : null,
      url ? [" · ", h("a", { href: url, rel: "noopener noreferrer nofollow" }, url)] : null,
    );
  }
  const url = safeHttpUrl(c.url);
  return h("li", {}, url ? h("a", { href: url, rel: "noopener noreferrer nofollow" }, h("strong", {}, c.name)) : h("strong", {}, c.name), c.code ? ` (${c.code})` : "");
}

// --- keys everywhere -------------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    lastOpened = null; // the box gets the focus, not the result last opened
    if (!modelView.hidden) navigate(searchUrlOrHome());
    input.focus();
    input.select();
  } else if (event.key === "Escape" && !modelView.hidden) {
    event.preventDefault();
    if (history.state && history.state.fromSearch) history.back();
    else navigate("/");
  }
});

function searchUrlOrHome() {
  return state.q.trim() || state.tags.length ? searchUrl() : "/";
}

// --- start -----------------------------------------------------------------------------------

history.replaceState(history.state || {}, "", location.href);
loadTags();
getJSON("/api/stats", { abortPrevious: false })
  .then((stats) => {
    $("total").textContent = `${stats.models.toLocaleString("en")} models`;
    // The toggle only where the server can search by meaning.
    if (Array.isArray(stats.searchModes) && stats.searchModes.includes("hybrid")) modeToggle.hidden = false;
  })
  .catch(() => {});
route();
