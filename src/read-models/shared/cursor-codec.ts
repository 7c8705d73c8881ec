import {
  KeyObject,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  timingSafeEqual,
} from 'node:crypto';

/** What the paging keys are derived with: labels of their own, so no other use shares a key. */
const MAC_LABEL = 'points-ledger paging cursor v2 mac';
const CIPHER_LABEL = 'points-ledger paging cursor v2 cipher';
/** 128 bits of HMAC-SHA256: plenty against guessing, and the cursor stays short. */
const IV_BYTES = 16;

/**
 * Seals a cursor's text, so that only the service makes cursors and only it can read them. The
 * text is encrypted with AES-256-CTR under an IV that is its own MAC (HMAC-SHA256 cut to 128 bits:
 * the synthetic-IV construction of RFC 5297). One edited by hand (another position, say) fails the
 * MAC and is refused instead of paging from wherever it points; and nobody can read the position
 * in it, a place in $all, which counts every organization's events. The same text always seals
 * alike, so replicas and restarts hand out and read the same cursors.
 *
 * The keys are derived from MEMBER_TOKEN_SECRET, never that secret itself (it signs member
 * tokens): replicas that share the secret read each other's cursors, and a cursor sealed under
 * another secret does not open. Derived once here: sealing or opening is one HMAC and one AES pass.
 */
export class CursorCodec {
  private readonly macKey: KeyObject;
  private readonly cipherKey: KeyObject;

  constructor(secret: string) {
    if (secret.length === 0) throw new Error('A cursor secret must not be empty');
    const derive = (label: string) =>
      createSecretKey(createHmac('sha256', secret).update(label, 'utf8').digest());
    this.macKey = derive(MAC_LABEL);
    this.cipherKey = derive(CIPHER_LABEL);
  }

  /** base64url of the text's MAC, then the text's UTF-8 bytes encrypted under that MAC. */
  seal(text: string): string {
    const body = Buffer.from(text, 'utf8');
    const iv = this.macOf(body);
    const cipher = createCipheriv('aes-256-ctr', this.cipherKey, iv);
    return Buffer.concat([iv, cipher.update(body), cipher.final()]).toString('base64url');
  }

  /** The text `cursor` seals, or undefined when it is not, character for character, one sealed. */
  open(cursor: string): string | undefined {
    const bytes = Buffer.from(cursor, 'base64url');
    // Decoding is lenient (stray characters, spare bits): only the spelling seal gives is accepted.
    if (bytes.length <= IV_BYTES || bytes.toString('base64url') !== cursor) return undefined;
    const iv = bytes.subarray(0, IV_BYTES);
    const decipher = createDecipheriv('aes-256-ctr', this.cipherKey, iv);
    const body = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES)), decipher.final()]);
    return timingSafeEqual(this.macOf(body), iv) ? body.toString('utf8') : undefined;
  }

  private macOf(body: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(body).digest().subarray(0, IV_BYTES);
  }
}
