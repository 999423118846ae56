// What a caller asked for that cannot be done as asked: a missing folder, a bad count, a blank
// query. The CLI turns these into exit code 2 with the message; no module here imports anything,
// so the CLI can know the class without loading the work behind it.
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
