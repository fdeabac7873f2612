package basetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"
)

// PKI is a test CA with a server and a client certificate, made fresh by
// NewPKI for tests of TLS code (ssl, evhttp over TLS, the daemons).
type PKI struct {
	CAPool    *x509.CertPool
	CAPEM     []byte
	Server    tls.Certificate // example.test, localhost, 127.0.0.1
	Client    tls.Certificate // CN=client
	OtherPool *x509.CertPool  // a CA that signed nothing here
	ServerPEM []byte
	ServerKey []byte // the server's private key, PEM
	OtherPEM  []byte
}

// MustPKI returns NewPKI's PKI or fails the test.
func MustPKI(t testing.TB) *PKI {
	t.Helper()
	p, err := NewPKI()
	if err != nil {
		t.Fatalf("test PKI: %v", err)
	}
	return p
}

// NewPKI makes a CA (P-256), a server certificate for example.test,
// localhost and 127.0.0.1, a client certificate, and an unrelated CA.
func NewPKI() (*PKI, error) {
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
	p := &PKI{CAPool: x509.NewCertPool(), OtherPool: x509.NewCertPool()}
	p.CAPool.AddCert(ca)
	p.OtherPool.AddCert(other)
	p.OtherPEM = pemBlock("CERTIFICATE", other.Raw)
	p.CAPEM = pemBlock("CERTIFICATE", ca.Raw)
	p.Server, p.ServerPEM, p.ServerKey, err = leaf(2, "example.test", []string{"example.test", "localhost"},
		[]net.IP{net.IPv4(127, 0, 0, 1)}, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	p.Client, _, _, err = leaf(3, "client", nil, nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ServerConfig returns a TLS config serving the server certificate.
func (p *PKI) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.Server}}
}

// ClientConfig returns a TLS config trusting the CA, for example.test.
func (p *PKI) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: p.CAPool, ServerName: "example.test"}
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
