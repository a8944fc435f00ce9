/**
 * Real SECURITY.md files (or their reporting sections) collected from public repositories, of several styles:
 * prose promises, timeline lists, business days, severity tables, support tables (with and without outer pipes,
 * emoji, badges), obfuscated addresses, PGP keys, placeholders, another language, and no promise at all.
 * Each expected import was written by hand from reading the file, before running the importer on it.
 *
 * `person`: the import lists something for a person to decide ("unsure"). Whatever else, no case may get a
 * timer the file does not state: `timers` is compared whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPolicy } from '../../../lambdas/core/policy-import/import-policy';

interface Expected {
  addresses?: string[];
  timers?: Record<string, unknown>;
  supported?: string[];
  unsupported?: string[];
  encryption?: string[];
  askFor?: string[];
  person: boolean;
}

const DIR = join(__dirname, '../../fixtures/security-md');

/** file -> [where it came from, style, what a person reads in it] */
const CASES: Record<string, [string, string, Expected]> = {
  'express.md': ['expressjs/express@17b8f2cc SECURITY.md', 'prose, two promises in one sentence', {
    addresses: ['express-security@lists.openjsf.org'], timers: { acknowledge: { soft: '48h' }, respond: '48h' }, person: false }],
  'curl.md': ['curl/curl@0c8e88d5 SECURITY.md', 'no promise (HackerOne)', { person: false }],
  'mastodon.md': ['mastodon/mastodon@0dc944e1 SECURITY.md', 'support table with a date', {
    addresses: ['security@joinmastodon.org'], supported: ['4.2.x', '4.1.x'], unsupported: ['4.0.x', '<3.5'], person: true }],
  'grafana.md': ['grafana/grafana@00abea5a SECURITY.md', 'PGP fingerprint and keyserver link', {
    addresses: ['security@grafana.com'],
    // written expecting the link only; the fingerprint is as valid an Encryption URI (RFC 9116 2.5.4), so both
    encryption: ['openpgp4fpr:225e6a9bbb15a37e95eb6312c66a51ccb44c27e0', 'https://keyserver.ubuntu.com/pks/lookup?search=0x225E6A9BBB15A37E95EB6312C66A51CCB44C27E0&fingerprint=on&op=index'], person: false }],
  'axios.md': ['axios/axios@02fda900 SECURITY.md', 'disclosure deadline in calendar days', {
    timers: { embargo: { max: '60d' } }, supported: ['0.x.x', '1.x.x'], person: true }],
  'vue.md': ['vuejs/core@078f25e9 SECURITY.md', 'hall of fame with personal addresses', { addresses: ['security@vuejs.org'], person: true }],
  'traefik.md': ['traefik/traefik@042feac SECURITY.md', 'support table in backticks', {
    supported: ['3.6.x', '2.11.x'], unsupported: ['<3.6.x', '<2.11.x'], person: false }],
  'next-js.md': ['vercel/next.js@4fe96981 SECURITY.md', 'a link only', { person: false }],
  'electron.md': ['electron/electron@0d77e774 SECURITY.md', 'promises with no time', { person: false }],
  'requests.md': ['psf/requests@05100d05 .github/SECURITY.md', 'prose timeline, "usually", fix goal', {
    timers: { acknowledge: { soft: '2d' } }, person: true }],
  'flask.md': ['pallets/flask@66710eb6 .github/SECURITY.md', 'prose, no time', { addresses: ['security@palletsprojects.com'], person: false }],
  'nextcloud.md': ['nextcloud/server@3edfbcbf SECURITY.md', 'what to include', {
    askFor: ['affected-versions', 'description', 'reproduce'], person: false }],
  'bitwarden.md': ['bitwarden/server@0346039b SECURITY.md', 'PGP long ID, vague promises', {
    encryption: ['openpgp4fpr:de6887086f892325fec04cc0d847525b6931381f'], person: true }],
  'laravel.md': ['laravel/framework@5a6c542e SECURITY.md', 'table without outer pipes, "promptly"', { addresses: ['taylor@laravel.com'], person: true }],
  'webpack.md': ['webpack/webpack@04b20682 SECURITY.md', 'follow-up advice and an escalation address', {
    addresses: ['webpack-security@openjsf.org'], askFor: ['affected-versions', 'impact', 'reproduce', 'contact'], person: true }],
  'vscode-fork.md': ['microsoft/vscode@065d5051 SECURITY.md (as stored: a fork with Spanish text)', 'another language', { person: true }],
  'home-assistant.md': ['home-assistant/core@29392ff9 SECURITY.md', 'autolinks only', { person: false }],
  'deno.md': ['denoland/deno@06dfc9f8 .github/SECURITY.md', '"as quickly as possible"', { addresses: ['security@deno.com'], person: true }],
  'id-57067039223.md': ['public SECURITY.md, code index id 57067039223 (nudgebee-node-agent)', 'business days, three promises in one sentence', {
    addresses: ['security@nudgebee.com'], timers: { acknowledge: { soft: '3bd' }, respond: '10bd' },
    askFor: ['description', 'reproduce', 'affected-versions', 'mitigations'], person: true }],
  'id-61971232949.md': ['public SECURITY.md, code index id 61971232949 (AgoraCare)', 'severity list, numbered timeline, PGP URL', {
    addresses: ['security@agoracare.health'], timers: { acknowledge: { soft: '48h' }, embargo: { max: '90d' } },
    supported: ['1.x.x'], unsupported: ['<1.0'], encryption: ['https://agoracare.health/.well-known/pgp-key.txt'], person: true }],
  'id-26183265005.md': ['public SECURITY.md, code index id 26183265005 (magic-cli)', '"security [at] domain.com", ASAP', {
    addresses: ['security@guywaldman.com'], supported: ['0.0.3', '0.0.2', '0.0.1'], person: true }],
  'id-489282389.md': ['public SECURITY.md, code index id 489282389 (a template left unfilled)', 'placeholder address, emoji table', {
    addresses: ['your-security-email@domain.com'], timers: { acknowledge: { soft: '48h' }, respond: '7d' },
    supported: ['3.x.x'], unsupported: ['<2.0'], person: true }],
  'id-53667966888.md': ['public SECURITY.md, code index id 53667966888 (nightshade)', '"[at] ... [dot]" address', {
    addresses: ['security@nightshade-project.dev'], person: false }],
  'id-60819637788.md': ['public README security section, code index id 60819637788', 'obfuscated, severity in a second clause', {
    addresses: ['recipe-planner-security@googlegroups.com'], timers: { acknowledge: { soft: '48h' } }, person: true }],
  'id-62749650518.md': ['public SECURITY section, code index id 62749650518 (vayl)', 'business days in bold', {
    addresses: ['ac12644@gmail.com'], timers: { acknowledge: { soft: '3bd' } }, person: false }],
  'id-56268638459.md': ['public SECURITY.md, code index id 56268638459 (strands-apify)', 'business days, what to include', {
    addresses: ['support@apify.com'], timers: { acknowledge: { soft: '5bd' } }, askFor: ['description', 'reproduce', 'affected-versions', 'mitigations'], person: false }],
  'id-54352094039.md': ['public SECURITY.md, code index id 54352094039 (ElecTube)', 'no address, Yes table', {
    timers: { acknowledge: { soft: '48h' } }, supported: ['1.0.x'], person: false }],
  'id-19602571949.md': ['public SECURITY.md, code index id 19602571949 (KarmaGate Relay)', 'short prose', {
    addresses: ['security@karmagate.com'], timers: { acknowledge: { soft: '48h' } }, askFor: ['description', 'reproduce', 'impact', 'mitigations'], person: false }],
  'id-51826375304.md': ['public SECURITY.md, code index id 51826375304', 'acknowledge and a fix goal', { timers: { acknowledge: { soft: '72h' } }, person: true }],
  'id-59329006559.md': ['public SECURITY.md, code index id 59329006559', 'a GitHub no-reply address', {
    timers: { acknowledge: { soft: '48h' } }, askFor: ['description', 'reproduce', 'mitigations'], person: true }],
  'id-71201839859.md': ['public SECURITY.md, code index id 71201839859', '"within a few business days"', { person: true }],
  'id-41840545769.md': ['public SECURITY.md, code index id 41840545769 (Lastboard)', 'one promise', { timers: { acknowledge: { soft: '48h' } }, person: false }],
  'id-7041832893.md': ['public README, code index id 7041832893 (Erigon)', 'two "[at]" addresses, one not for reports', {
    addresses: ['security@torquem.ch'], person: true }],
};

describe.each(Object.entries(CASES))('%s', (file, [, , expected]) => {
  const p = importPolicy(readFileSync(join(DIR, file), 'utf8'));
  it('proposes exactly the promises and addresses a person reads in it, and nothing else', () => {
    expect(p.project.timers).toEqual(expected.timers);
    expect(p.project.addresses).toEqual(expected.addresses);
    expect(p.project.supportedVersions?.supported ?? []).toEqual(expected.supported ?? []);
    expect(p.project.supportedVersions?.unsupported ?? []).toEqual(expected.unsupported ?? []);
    expect(p.project.securityTxt?.encryption).toEqual(expected.encryption);
    if (expected.askFor) expect(p.project.askFor?.map((a) => a.key)).toEqual(expected.askFor);
  });
  it(expected.person ? 'leaves something to a person' : 'leaves nothing to a person', () => {
    expect([file, p.unsure.length > 0]).toEqual([file, expected.person]);
  });
});

it('covers at least 30 real files of several styles', () => {
  expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(30);
});
