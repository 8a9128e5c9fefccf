/**
 * What a search box means (README.md `<rtc-query-form>`): text containing `:` is a jIO query
 * as typed; plain words are a keyless full-text query, each word quoted so that parentheses or
 * operators in it are searched for, not parsed. Words are ANDed, as jIO's implicit AND does
 * (docs/jio-compatibility.md "Grammar"). jIO unescapes only `\"` inside quotes (same section):
 * quotes are escaped, and a trailing backslash (which would swallow the closing quote) gets a `%`
 * after it, which changes nothing since full text is already a substring match.
 */
export function searchToQuery(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  if (trimmed.includes(':')) return trimmed;
  return trimmed
    .split(/\s+/)
    .map((word) => {
      const escaped = word.replace(/"/g, '\\"');
      return `"${escaped.endsWith('\\') ? `${escaped}%` : escaped}"`;
    })
    .join(' ');
}
