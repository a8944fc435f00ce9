/**
 * The mailbox behind an address, for counting what one sender does (the receipt limit): lower case, the
 * `+tag` sub-address removed (RFC 5233), and, only for domains known to ignore them, dots in the local part
 * (Gmail). `v+1@x`, `V+2@X` and `v@x` are one sender; `j.doe@corp` and `jdoe@corp` stay two.
 */
const DOTS_IGNORED = new Set(['gmail.com', 'googlemail.com']);

export function mailboxKey(address: string): string {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0) return a;
  let local = a.slice(0, at);
  let domain = a.slice(at + 1).replace(/\.$/, '');
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (DOTS_IGNORED.has(domain)) local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}
