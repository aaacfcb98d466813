/** A failed delivery try, worded by us: ids and short reasons only, safe to log and keep. */
export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryError';
  }
}
