// What a caller asked for that cannot be done as asked: a missing folder, a bad count, a blank
// query. The CLI turns these into exit code 2 with the message; no module here imports anything
// but the error registry, so the CLI can know the code without loading the work behind it.
import { CodedError, type ErrorCode } from "../model/errors.js";

export class InvalidRequestError extends CodedError {
  /** The registry code of this kind of request error (model/errors.ts); a subclass names its own. */
  static readonly errorCode: ErrorCode = "invalid-request";

  constructor(message: string) {
    super((new.target as typeof InvalidRequestError).errorCode, message);
  }
}
