// HTTP digest: challenges as servers send them, and responses checked against RFC examples.
import t from 'tap';
import { DigestSession, parseDigestChallenge } from '../../../agent/dsl/digest.js';

t.test('a FRITZ!OS-style challenge', async (t) => {
  const c = parseDigestChallenge('Digest realm="HTTPS Access",nonce="F758BE72FB999CEA",algorithm=MD5,qop="auth"');
  t.same(c, { realm: 'HTTPS Access', nonce: 'F758BE72FB999CEA', opaque: null, algorithm: 'MD5', qopAuth: true, stale: false });
});

t.test('several challenges, escapes, stale, unknown algorithms', async (t) => {
  const c = parseDigestChallenge(['Basic realm="x"', 'Digest realm="a \\"b\\"", nonce="n1", opaque="o", qop="auth,auth-int", stale=TRUE']);
  t.match(c, { realm: 'a "b"', nonce: 'n1', opaque: 'o', qopAuth: true, stale: true, algorithm: 'MD5' });
  t.equal(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256'), null, 'an algorithm we cannot do');
  t.equal(parseDigestChallenge('Basic realm="x"'), null);
  t.equal(parseDigestChallenge(undefined), null);
  t.equal(parseDigestChallenge('Digest nonce="n"'), null, 'no realm');
  t.match(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-256-sess'), { algorithm: 'SHA-256-sess', qopAuth: false });
});

t.test('RFC 2617 section 3.5: the Mufasa example', async (t) => {
  const challenge = parseDigestChallenge(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  )!;
  const session = new DigestSession(challenge, 'Mufasa', 'Circle Of Life', '0a4f113b');
  const header = session.authorization('GET', '/dir/index.html');
  t.match(header, /response="6629fae49393a05397450978507c4ef1"/);
  t.match(header, /nc=00000001/);
  t.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  t.match(session.authorization('GET', '/dir/index.html'), /nc=00000002/, 'the nonce count grows');
});

t.test('RFC 7616 section 3.9.1: SHA-256', async (t) => {
  const challenge = parseDigestChallenge(
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  )!;
  const session = new DigestSession(challenge, 'Mufasa', 'Circle of Life', 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
  t.match(session.authorization('GET', '/dir/index.html'), /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
});

t.test('RFC 2069 form when the server offers no qop', async (t) => {
  const challenge = parseDigestChallenge('Digest realm="r", nonce="n"')!;
  const header = new DigestSession(challenge, 'u', 'p', 'c').authorization('POST', '/x');
  t.notMatch(header, /qop=|nc=|cnonce=/);
});
