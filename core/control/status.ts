/** Pure: the RuntimeState as a dbmazz.StatusResponse (LSNs as decimal numbers, uint64 as strings). */
import type { RuntimeState } from '../runtime/state.js';
import type { StatusResponse } from './gen/dbmazz/StatusResponse.js';

type StatusState = Pick<RuntimeState, 'runState' | 'receivedLsn' | 'confirmedLsn' | 'bufferedEvents' | 'inFlightEvents' | 'slotName' | 'tables'>;

export function statusOf(state: StatusState): Required<StatusResponse> {
  return {
    state: state.runState,
    currentLsn: state.receivedLsn.toString(),
    confirmedLsn: state.confirmedLsn.toString(),
    pendingEvents: String(state.bufferedEvents + state.inFlightEvents),
    slotName: state.slotName,
    tables: [...state.tables],
  };
}
