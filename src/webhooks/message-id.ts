import { sha256Hex } from '../shared/application/sha256';

/** The id of the message that carries one event to one webhook: the same on every retry and replica. */
export function messageIdOf(eventId: string, webhookId: string): string {
  return `msg_${sha256Hex(`${eventId}:${webhookId}`).slice(0, 32)}`;
}
