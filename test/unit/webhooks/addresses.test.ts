/** Which addresses a webhook may reach when private addresses are refused, and which URLs are accepted at all. */
import assert from 'node:assert/strict';
import { checkWebhookUrl, classifyAddress, isPublicAddress } from '../../../domain/webhooks';

describe('webhook address classification', () => {
  it('refuses loopback, private, CGNAT, link-local, metadata, unspecified, multicast and reserved IPv4', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.1.2', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.254', 'cgnat'],
      ['169.254.1.1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['192.0.2.10', 'reserved'],
    ];
    for (const [address, kind] of cases) assert.equal(classifyAddress(address), kind, address);
  });

  it('lets public IPv4 through, including the neighbours of refused ranges', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '11.0.0.0', '169.253.255.255']) {
      assert.equal(classifyAddress(address), 'public', address);
      assert.ok(isPublicAddress(address));
    }
  });

  it('refuses the same in IPv6: loopback, unspecified, ULA, link-local, multicast, EC2 metadata', () => {
    const cases: Array<[string, string]> = [
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['::', 'unspecified'],
      ['fc00::1', 'unique-local'],
      ['fdff:ffff::1', 'unique-local'],
      ['fd00:ec2::254', 'metadata'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
    ];
    for (const [address, kind] of cases) assert.equal(classifyAddress(address), kind, address);
    assert.equal(classifyAddress('2606:4700:4700::1111'), 'public');
  });

  it('sees through IPv4-mapped, -compatible, NAT64 and 6to4 IPv6 forms', () => {
    assert.equal(classifyAddress('::ffff:127.0.0.1'), 'loopback');
    assert.equal(classifyAddress('::ffff:7f00:1'), 'loopback');
    assert.equal(classifyAddress('::ffff:169.254.169.254'), 'metadata');
    assert.equal(classifyAddress('::ffff:a9fe:a9fe'), 'metadata');
    assert.equal(classifyAddress('0:0:0:0:0:ffff:10.0.0.1'), 'private');
    assert.equal(classifyAddress('::10.0.0.1'), 'private');
    assert.equal(classifyAddress('64:ff9b::192.168.0.1'), 'private');
    assert.equal(classifyAddress('2002:c0a8:0101::1'), 'private');
    assert.equal(classifyAddress('::ffff:8.8.8.8'), 'public');
  });

  it('calls anything that is not an address invalid, never public', () => {
    for (const s of ['', 'localhost', '1.2.3', '1.2.3.256', '::ffff:1.2.3.999', 'example.com', '1::2::3']) {
      assert.equal(classifyAddress(s), 'invalid', s);
    }
  });
});

describe('webhook URL check', () => {
  const prod = { allowPrivateAddresses: false };
  const dev = { allowPrivateAddresses: true };
  const problem = (url: unknown, opts = prod) => {
    const r = checkWebhookUrl(url, opts);
    return 'problem' in r ? r.problem : null;
  };

  it('accepts https URLs to names and public addresses', () => {
    assert.equal(problem('https://hooks.example.com/statementflow?x=1'), null);
    assert.equal(problem('https://8.8.8.8:8443/hook'), null);
  });

  it('refuses plain http, other schemes, credentials, local names and private literals in production', () => {
    assert.match(problem('http://hooks.example.com/')!, /https/);
    assert.match(problem('ftp://hooks.example.com/')!, /https/);
    assert.match(problem('https://user:pw@hooks.example.com/')!, /user name or password/);
    assert.match(problem('https://localhost/')!, /this machine/);
    assert.match(problem('https://api.localhost/')!, /this machine/);
    for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '[fd00:ec2::254]', '0.0.0.0']) {
      assert.match(problem(`https://${host}/hook`)!, /private/, host);
    }
    assert.match(problem('not a url')!, /valid URL/);
    assert.match(problem(42)!, /https URL/);
    assert.match(problem(`https://example.com/${'a'.repeat(2100)}`)!, /2048/);
  });

  it('in development allows http to this machine only, and private https targets', () => {
    assert.equal(problem('http://127.0.0.1:8080/hook', dev), null);
    assert.equal(problem('http://localhost:8080/hook', dev), null);
    assert.equal(problem('http://[::1]:8080/hook', dev), null);
    assert.match(problem('http://hooks.example.com/', dev)!, /https/);
    assert.match(problem('http://10.0.0.5/', dev)!, /https/);
    assert.equal(problem('https://10.0.0.5/', dev), null);
  });
});
