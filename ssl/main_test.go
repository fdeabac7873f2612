package ssl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/internal/looptest"
)

// TestMain fails the run when goroutines started by the package or its
// tests outlive every test.
func TestMain(m *testing.M) { basetest.Main(m, "ssl") }

func newBase(t testing.TB) *core.Base {
	t.Helper()
	return basetest.New(t)
}

// loopLimit bounds every loop a test runs.
const loopLimit = 60 * time.Second

// run runs base's loop until a callback calls base.LoopBreak, failing the
// test after loopLimit.
func run(t testing.TB, base *core.Base) {
	t.Helper()
	basetest.Run(t, base, loopLimit)
}

// testPKI is a CA with a server and a client certificate, made with
// crypto/x509 for the test run.
type testPKI struct {
	caPool    *x509.CertPool
	caPEM     []byte
	server    tls.Certificate // example.test, localhost, 127.0.0.1
	client    tls.Certificate // CN=client
	otherPool *x509.CertPool  // a CA that signed nothing here
	serverPEM []byte
	serverKey []byte
	otherPEM  []byte
}

var pkiOnce = func() func(testing.TB) *testPKI {
	var p *testPKI
	var err error
	var done bool
	return func(t testing.TB) *testPKI {
		t.Helper()
		if !done {
			p, err = makePKI()
			done = true
		}
		if err != nil {
			t.Fatalf("test PKI: %v", err)
		}
		return p
	}
}()

func makePKI() (*testPKI, error) {
	newCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: name},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, nil, err
		}
		c, err := x509.ParseCertificate(der)
		return c, key, err
	}
	ca, caKey, err := newCA("goevent test CA")
	if err != nil {
		return nil, err
	}
	other, _, err := newCA("goevent other CA")
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, cn string, dns []string, ips []net.IP, usage x509.ExtKeyUsage) (tls.Certificate, []byte, []byte, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			DNSNames:     dns,
			IPAddresses:  ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		certPEM := pemBlock("CERTIFICATE", der)
		keyPEM := pemBlock("EC PRIVATE KEY", kder)
		c, err := tls.X509KeyPair(certPEM, keyPEM)
		return c, certPEM, keyPEM, err
	}
	p := &testPKI{caPool: x509.NewCertPool(), otherPool: x509.NewCertPool()}
	p.caPool.AddCert(ca)
	p.otherPool.AddCert(other)
	p.otherPEM = pemBlock("CERTIFICATE", other.Raw)
	p.caPEM = pemBlock("CERTIFICATE", ca.Raw)
	p.server, p.serverPEM, p.serverKey, err = leaf(2, "example.test", []string{"example.test", "localhost"},
		[]net.IP{net.IPv4(127, 0, 0, 1)}, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	p.client, _, _, err = leaf(3, "client", nil, nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *testPKI) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.server}}
}

func (p *testPKI) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: p.caPool, ServerName: "example.test"}
}

// requirePeer is basetest.RequirePeer.
func requirePeer(t testing.TB, bin string) string {
	t.Helper()
	return basetest.RequirePeer(t, bin)
}

// events records a BufferEvent's events.
type events struct {
	what []bufferevent.What
	errs []error
}

func (e *events) add(what bufferevent.What, err error) {
	e.what = append(e.what, what)
	e.errs = append(e.errs, err)
}

func (e *events) has(w bufferevent.What) (bool, error) {
	for i, x := range e.what {
		if x&w == w {
			return true, e.errs[i]
		}
	}
	return false, nil
}

func (e *events) String() string { return fmt.Sprint(e.what, e.errs) }

// tlsPair returns a server and a client TLS BufferEvent over a
// socketpair, both with reading enabled.
func tlsPair(t testing.TB, base *core.Base, scfg, ccfg *tls.Config) (srv, cli *bufferevent.BufferEvent) {
	t.Helper()
	fds := looptest.Socketpair(t)
	var err error
	srv, err = NewServer(base, fds[0], scfg, 0)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	cli, err = NewClient(base, fds[1], ccfg, 0)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { srv.Free(); cli.Free() })
	srv.Enable(bufferevent.Read)
	cli.Enable(bufferevent.Read)
	return srv, cli
}
