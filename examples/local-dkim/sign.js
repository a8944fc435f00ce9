// Makes a maintainer's signed reply for trying the local stack: generates a DKIM key for a domain (default
// hashberg.io, selector `local`) on first use, writes the offline DNS records the stack checks mail against (the
// public key and a DMARC record, added to dns.json beside those of other domains), and signs a message with it
// (default examples/mail/maintainer-reply.eml), as the domain's mail server would.
// With --to, the reply is addressed to that report's reply address (and gets a new Message-ID) before signing:
// a maintainer's mail acts on a report only when the reference to it is inside what the signature covers.
// For your own project: --domain yourproject.org --from your-reply.eml (its From on your config's maintainers).
// Nothing secret is committed: the key is made on your machine, in the output folder (default .data/local-dkim).
//   node examples/local-dkim/sign.js [--domain D] [--selector S] [--from FILE.eml] [--to REPLY_ADDRESS] [OUTDIR]
'use strict';
const { createPublicKey, generateKeyPairSync, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nodemailer = require('nodemailer');

const root = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const USAGE = 'usage: node examples/local-dkim/sign.js [--domain D] [--selector S] [--from FILE.eml] [--to REPLY_ADDRESS] [OUTDIR]';
function option(name, valid) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args.splice(at, 2)[1];
  if (!value || !valid.test(value)) {
    console.error(`${name} ${JSON.stringify(value ?? '')} is not valid\n${USAGE}`);
    process.exit(2);
  }
  return value;
}
const to = option('--to', /^[^\s@<>]+@[^\s@<>]+$/);
const domain = (option('--domain', /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i) || 'hashberg.io').toLowerCase();
const selector = option('--selector', /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i) || 'local';
const from = option('--from', /./);
const out = path.resolve(args[0] || path.join('.data', 'local-dkim'));
fs.mkdirSync(out, { recursive: true });
// the walkthrough's key keeps its name; a key for any other domain or selector is named after both
const isDefault = domain === 'hashberg.io' && selector === 'local';
const keyFile = path.join(out, isDefault ? 'private-key.pem' : `private-key.${selector}.${domain}.pem`);
if (!fs.existsSync(keyFile)) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}
const key = fs.readFileSync(keyFile, 'utf8');
const pub = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
const dnsFile = path.join(out, 'dns.json');
let dns = { TXT: {} };
try {
  dns = JSON.parse(fs.readFileSync(dnsFile, 'utf8'));
  dns.TXT = dns.TXT || {};
} catch {
  // first domain: a new file
}
dns.TXT[`${selector}._domainkey.${domain}`] = [`v=DKIM1; k=rsa; p=${pub}`];
dns.TXT[`_dmarc.${domain}`] = ['v=DMARC1; p=reject'];
fs.writeFileSync(dnsFile, JSON.stringify(dns, null, 2) + '\n');
const source = from ? path.resolve(from) : path.join(root, 'examples/mail/maintainer-reply.eml');
let raw = fs.readFileSync(source, 'utf8');
const fromField = /^From:(.*)$/im.exec(raw);
const sender = (fromField && (/<([^<>\s]+@[^<>\s]+)>/.exec(fromField[1]) || /([^\s<>"]+@[^\s<>"]+)/.exec(fromField[1]))) || null;
if (!sender || !sender[1].toLowerCase().endsWith(`@${domain}`)) {
  console.error(`${path.relative(process.cwd(), source)}: its From must be an address at ${domain} (DMARC judges the From domain); found ${sender ? sender[1] : 'none'}`);
  process.exit(2);
}
if (to) {
  raw = raw
    .replace(/^To: .*$/m, `To: ${to}`)
    .replace(/^Message-ID: .*$/m, `Message-ID: <${randomUUID()}@hashberg.io>`);
}
const transport = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'unix',
  dkim: { domainName: domain, keySelector: selector, privateKey: key },
});
const signedName = from ? `${path.basename(source).replace(/\.eml$/i, '')}.signed.eml` : 'maintainer-reply.signed.eml';
transport.sendMail({ envelope: { from: sender[1], to: [to || 'security@hashberg.io'] }, raw }).then((info) => {
  fs.writeFileSync(path.join(out, signedName), info.message);
  const what = to ? `${signedName} (to ${to})` : `{dns.json,${signedName}}`;
  console.log(`wrote ${path.relative(process.cwd(), out) || '.'}/${what} (key: ${path.basename(keyFile)}, made here, never committed)`);
});
