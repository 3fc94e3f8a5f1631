/** The adapters' durable state (AdapterState), kept in the store under "state:". */
import type { AdapterState } from "../../adapters/types.js";
import type { Store } from "../store/types.js";

/** Adapter state kept in the store's cursor table under "state:". */
export function storeState(store: Store, site: string): AdapterState {
  return {
    get: (key) => store.getState(site, `state:${key}`),
    set: (key, value) => store.setState(site, `state:${key}`, value),
  };
}

/** Where the ledger records a newcomer's welcome (src/welcome/). */
export const welcomeLedgerKey = (memberId: string) => `welcome:${memberId}`;
