// Makes a maintainer's signed reply for trying the local stack: generates a DKIM key for hashberg.io (selector
// `local`) on first use, writes the offline DNS records the stack checks mail against (the public key and a
// DMARC record), and signs examples/mail/maintainer-reply.eml with it, as alice@hashberg.io's mail server would.
// With --to, the reply is addressed to that report's reply address (and gets a new Message-ID) before signing:
// a maintainer's mail acts on a report only when the reference to it is inside what the signature covers.
// Nothing secret is committed: the key is made on your machine, in the output folder (default .data/local-dkim).
//   node examples/local-dkim/sign.js [--to security+<id>.<mac>@hashberg.io] [OUTDIR]
'use strict';
const { createPublicKey, generateKeyPairSync, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nodemailer = require('nodemailer');

const root = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const toAt = args.indexOf('--to');
const to = toAt >= 0 ? args.splice(toAt, 2)[1] : undefined;
if (toAt >= 0 && !/^[^\s@<>]+@[^\s@<>]+$/.test(to || '')) {
  console.error('usage: node examples/local-dkim/sign.js [--to REPLY_ADDRESS] [OUTDIR]');
  process.exit(2);
}
const out = path.resolve(args[0] || path.join('.data', 'local-dkim'));
fs.mkdirSync(out, { recursive: true });
const keyFile = path.join(out, 'private-key.pem');
if (!fs.existsSync(keyFile)) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}
const key = fs.readFileSync(keyFile, 'utf8');
const pub = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
const dns = { TXT: { 'local._domainkey.hashberg.io': [`v=DKIM1; k=rsa; p=${pub}`], '_dmarc.hashberg.io': ['v=DMARC1; p=reject'] } };
fs.writeFileSync(path.join(out, 'dns.json'), JSON.stringify(dns, null, 2) + '\n');
let raw = fs.readFileSync(path.join(root, 'examples/mail/maintainer-reply.eml'), 'utf8');
if (to) {
  raw = raw
    .replace(/^To: .*$/m, `To: ${to}`)
    .replace(/^Message-ID: .*$/m, `Message-ID: <${randomUUID()}@hashberg.io>`);
}
const transport = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'unix',
  dkim: { domainName: 'hashberg.io', keySelector: 'local', privateKey: key },
});
transport.sendMail({ envelope: { from: 'alice@hashberg.io', to: ['security@hashberg.io'] }, raw }).then((info) => {
  fs.writeFileSync(path.join(out, 'maintainer-reply.signed.eml'), info.message);
  const what = to ? `maintainer-reply.signed.eml (to ${to})` : '{dns.json,maintainer-reply.signed.eml}';
  console.log(`wrote ${path.relative(process.cwd(), out) || '.'}/${what} (key: private-key.pem, made here, never committed)`);
});
