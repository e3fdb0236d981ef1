/**
 * An outcome store that records into two: the primary (read by the controller: Redis) and a
 * second one (here the replica's memory store, published as snapshots to the registry — the
 * no-new-infrastructure default), so one run measures both ways of sharing outcomes.
 */
import type { OutcomeStore } from '@modelship/core';

/** Records into `primary` and `secondary`; reads, snapshots and flushes are the primary's. */
export function teeOutcomes(primary: OutcomeStore, secondary: OutcomeStore): OutcomeStore {
  const store: OutcomeStore = {
    recorder(key) {
      const a = primary.recorder(key);
      const b = secondary.recorder(key);
      return {
        prediction(o) {
          a.prediction(o);
          b.prediction(o);
        },
        feedback(o) {
          a.feedback(o);
          b.feedback(o);
        },
      };
    },
    aggregates: (model, query) => primary.aggregates(model, query),
    snapshot: () => primary.snapshot(),
    merge: (s) => primary.merge(s),
  };
  if (primary.flush) store.flush = () => primary.flush!();
  return store;
}
