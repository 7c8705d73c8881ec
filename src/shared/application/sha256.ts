import { hash } from 'node:crypto';

/** SHA-256 of UTF-8 text, as hex. One-shot: about half the cost of createHash on small inputs. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
