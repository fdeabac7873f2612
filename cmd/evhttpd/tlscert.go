package main

import (
	"crypto/tls"
	"fmt"
	"sync/atomic"
)

// certStore holds the serving certificate, swapped atomically on reload
// so that handshakes running on every loop read it without a lock.
type certStore struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

// newCertStore loads the key pair from certFile and keyFile.
func newCertStore(certFile, keyFile string) (*certStore, error) {
	s := &certStore{certFile: certFile, keyFile: keyFile}
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// reload reads the key pair again; on failure the previous one stays.
func (s *certStore) reload() error {
	c, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	s.cert.Store(&c)
	return nil
}

// config returns the tls.Config of every listener, which reads the
// current certificate at each handshake.
func (s *certStore) config() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return s.cert.Load(), nil
		},
	}
}
