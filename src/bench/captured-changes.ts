// The changes of a sync, captured on their way to the store as one change, so that the bench (and
// its light version in the tests) can write the same rows again in other ways. A first sync gives
// its changes in parts, each taken once: they are gathered as the store takes them.
import { partsOf, type Store, type SyncChanges } from "../store/store.js";

/** Make `store` keep what it is given to apply; the returned function gives the last change, whole. */
export function captureChanges(store: Store): () => SyncChanges | undefined {
  let captured: SyncChanges | undefined;
  const apply = store.apply.bind(store);
  store.apply = (changes) => {
    const whole: SyncChanges = (captured = { upserts: [], deletes: [], people: [], organizations: [], touched: [] });
    function* gathered() {
      for (const part of partsOf(changes)) {
        whole.upserts.push(...part.upserts);
        whole.deletes.push(...part.deletes);
        whole.people.push(...part.people);
        whole.organizations.push(...part.organizations);
        whole.touched!.push(...(part.touched ?? []));
        yield part;
      }
    }
    return apply({ ...("parts" in changes ? changes : { models: changes.upserts.length + changes.deletes.length }), parts: gathered() });
  };
  return () => captured;
}
