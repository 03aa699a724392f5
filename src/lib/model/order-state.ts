// The order state machine: placed -> processed -> shipped -> delivered,
// with cancel allowed until the parcel leaves (a cancel returns the stock).
import type { OrderStatus } from './ops.ts';

const NEXT: Record<OrderStatus, OrderStatus[]> = {
  placed: ['processed', 'canceled'],
  processed: ['shipped', 'canceled'],
  shipped: ['delivered'],
  delivered: [],
  canceled: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

export function nextStatuses(from: OrderStatus): OrderStatus[] {
  return NEXT[from];
}

/** Why a move is refused, in words an admin can act on; null when allowed. */
export function moveProblem(from: OrderStatus, to: OrderStatus): string | null {
  if (canMove(from, to)) return null;
  if (from === to) return `the order is already ${from}`;
  if (NEXT[from].length === 0) return `a ${from} order cannot change any more`;
  return `a ${from} order can only become ${NEXT[from].join(' or ')}, not ${to}`;
}
