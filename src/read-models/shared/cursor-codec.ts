import { KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/** What the paging key is derived with: a label of its own, so no other use shares the key. */
const KEY_LABEL = 'points-ledger paging cursor v1';
/** 128 bits of HMAC-SHA256: plenty against guessing, and the cursor stays short. */
const MAC_BYTES = 16;

/**
 * Seals a cursor's text with a MAC, so that only the service makes cursors: one edited by hand
 * (another position, say) is refused instead of paging from wherever it points. The key is derived
 * from MEMBER_TOKEN_SECRET, never that secret itself (it signs member tokens): replicas that share
 * the secret read each other's cursors, also after a restart, and a cursor sealed under another
 * secret does not open. Derived once here: sealing or opening a cursor is one HMAC.
 */
export class CursorCodec {
  private readonly key: KeyObject;

  constructor(secret: string) {
    if (secret.length === 0) throw new Error('A cursor secret must not be empty');
    this.key = createSecretKey(createHmac('sha256', secret).update(KEY_LABEL, 'utf8').digest());
  }

  /** base64url of the text's UTF-8 bytes followed by their MAC. */
  seal(text: string): string {
    const body = Buffer.from(text, 'utf8');
    return Buffer.concat([body, this.macOf(body)]).toString('base64url');
  }

  /** The text `cursor` seals, or undefined when it is not, character for character, one sealed. */
  open(cursor: string): string | undefined {
    const bytes = Buffer.from(cursor, 'base64url');
    // Decoding is lenient (stray characters, spare bits): only the spelling seal gives is accepted.
    if (bytes.length <= MAC_BYTES || bytes.toString('base64url') !== cursor) return undefined;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    const genuine = timingSafeEqual(this.macOf(body), bytes.subarray(body.length));
    return genuine ? body.toString('utf8') : undefined;
  }

  private macOf(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
