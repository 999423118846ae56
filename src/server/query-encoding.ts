// A query parameter whose percent-encoding is broken (q=%E0%A4%A) is refused, as a path with one
// is, rather than searched for as the literal text the parser leaves behind.
import { HttpError } from "./errors.js";

/** Throws a 400 naming the first query parameter of `url` that does not decode. */
export function checkQueryEncoding(url: string): void {
  const start = url.indexOf("?");
  // Most URLs have no "%" in their query: nothing more to do.
  if (start < 0 || url.indexOf("%", start) < 0) return;
  for (const pair of url.slice(start + 1).split("&")) {
    if (!pair.includes("%")) continue;
    const equals = pair.indexOf("=");
    const name = equals < 0 ? pair : pair.slice(0, equals);
    const decodedName = decode(name);
    if (decodedName === undefined) throw new HttpError("invalid-request", "a query parameter's name is not valid: it has a bad percent-encoding (%XX)");
    if (equals >= 0 && decode(pair.slice(equals + 1)) === undefined) {
      throw new HttpError("invalid-request", `query parameter ${decodedName.slice(0, 60)} is not valid: it has a bad percent-encoding (%XX)`);
    }
  }
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}
