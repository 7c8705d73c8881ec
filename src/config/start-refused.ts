/**
 * A start refused for a reason the operator acts on (another process holds DATA_DIR). Nest logs a
 * provider's failure with its stack, where framework frames say nothing: the stack is the message.
 */
export class StartRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefused';
    this.stack = `${this.name}: ${message}`;
  }
}
