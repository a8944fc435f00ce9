// Signs examples/mail/maintainer-reply.eml as alice@hashberg.io would (DKIM, d=hashberg.io, s=local) and writes
// maintainer-reply.signed.eml and dns.json (the public key and a DMARC record) next to this file. For the local
// walkthrough only: the private key is published here, so nothing real may ever trust it.
// Run from the repository root: node examples/local-dkim/sign.js
'use strict';
const { generateKeyPairSync } = require('node:crypto');
const fs = require('node:fs');
const nodemailer = require('nodemailer');
const dir = 'examples/local-dkim';
let key;
if (fs.existsSync(`${dir}/private-key.pem`)) key = fs.readFileSync(`${dir}/private-key.pem`, 'utf8');
else {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  fs.writeFileSync(`${dir}/private-key.pem`, key);
}
const pub = require('node:crypto').createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
fs.writeFileSync(`${dir}/dns.json`, JSON.stringify({ TXT: { 'local._domainkey.hashberg.io': [`v=DKIM1; k=rsa; p=${pub}`], '_dmarc.hashberg.io': ['v=DMARC1; p=reject'] } }, null, 2) + '\n');
const raw = fs.readFileSync('examples/mail/maintainer-reply.eml');
const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', dkim: { domainName: 'hashberg.io', keySelector: 'local', privateKey: key } });
t.sendMail({ envelope: { from: 'alice@hashberg.io', to: ['security@hashberg.io'] }, raw }).then((info) => {
  fs.writeFileSync(`${dir}/maintainer-reply.signed.eml`, info.message);
  console.log(`wrote ${dir}/maintainer-reply.signed.eml and ${dir}/dns.json`);
});
