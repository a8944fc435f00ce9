// Makes a maintainer's signed reply for trying the local stack: generates a DKIM key for hashberg.io (selector
// `local`) on first use, writes the offline DNS records the stack checks mail against (the public key and a
// DMARC record), and signs examples/mail/maintainer-reply.eml with it, as alice@hashberg.io's mail server would.
// Nothing secret is committed: the key is made on your machine, in the output folder (default .data/local-dkim).
//   node examples/local-dkim/sign.js [OUTDIR]
'use strict';
const { createPublicKey, generateKeyPairSync } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nodemailer = require('nodemailer');

const root = path.resolve(__dirname, '../..');
const out = path.resolve(process.argv[2] || path.join('.data', 'local-dkim'));
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
const raw = fs.readFileSync(path.join(root, 'examples/mail/maintainer-reply.eml'));
const transport = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'unix',
  dkim: { domainName: 'hashberg.io', keySelector: 'local', privateKey: key },
});
transport.sendMail({ envelope: { from: 'alice@hashberg.io', to: ['security@hashberg.io'] }, raw }).then((info) => {
  fs.writeFileSync(path.join(out, 'maintainer-reply.signed.eml'), info.message);
  console.log(`wrote ${path.relative(process.cwd(), out)}/{dns.json,maintainer-reply.signed.eml} (key: private-key.pem, made here, never committed)`);
});
