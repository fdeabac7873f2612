// Package tlsconf is what the TLS benchmark's programs share: the
// certificate files run.sh makes once per session, loaded into server and
// client configurations, and the reply the handshake test's servers send.
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ServerName is the name in the certificate and the one clients verify.
const ServerName = "bench.goevent.test"

// Ack is the one byte a server writes once its side of a handshake is done:
// the client reads it, so a counted handshake is one the server finished.
const Ack = 'k'

// Chunk is the size of the server's writes in the bulk test.
const Chunk = 256 << 10

// ErrNoCert is returned by Client when the CA file holds no certificate.
var ErrNoCert = errors.New("tlsconf: no certificate in the CA file")

// Server is a server configuration with the certificate and key at
// certFile and keyFile.
func Server(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tlsconf: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}

// Client is a client configuration that trusts the certificate in caFile
// and has no session cache, so every connection makes a full handshake.
func Client(caFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("tlsconf: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: %s", ErrNoCert, caFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: ServerName}, nil
}
