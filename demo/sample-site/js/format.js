/** A price with its currency: `money(1250, 'KES')` → `KES 12.50`. */
export function money(cents, currency) {
  return `${currency} ${(cents / 100).toFixed(2)}`;
}
