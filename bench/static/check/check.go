package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
	"strings"
	"time"
)

// errReply is wrapped by every complaint about a reply.
var errReply = errors.New("check: wrong reply")

// digest is what a body must be: its length and SHA-256.
type digest struct {
	size int64
	sum  [sha256.Size]byte
}

// digestFile reads the file at path.
func digestFile(path string) (digest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return digest{}, fmt.Errorf("check: %w", err)
	}
	return digest{size: int64(len(b)), sum: sha256.Sum256(b)}, nil
}

// check waits up to wait for url's server to accept, then fetches url n
// times on one connection and compares every reply with want. It returns
// the first reply's status line and header fields.
func check(ctx context.Context, url string, want digest, n int, wait time.Duration) (string, error) {
	tr := &http.Transport{
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
		DialContext:         (&net.Dialer{}).DialContext,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	if err := awaitServer(ctx, url, wait); err != nil {
		return "", err
	}
	var head string
	for i := range n {
		h, reused, err := fetch(ctx, client, url, want)
		if err != nil {
			return "", fmt.Errorf("request %d of %d: %w", i+1, n, err)
		}
		if i > 0 && !reused {
			return "", fmt.Errorf("request %d of %d: %w: the connection was not kept alive", i+1, n, errReply)
		}
		if i == 0 {
			head = h
		}
	}
	return head, nil
}

// awaitServer retries a TCP connect to url's host until it succeeds or
// wait has passed.
func awaitServer(ctx context.Context, url string, wait time.Duration) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("check: %s does not accept: %w", host, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("check: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// fetch makes one request and checks its reply. It says whether the
// request went out on a reused connection.
func fetch(ctx context.Context, client *http.Client, url string, want digest) (head string, reused bool, err error) {
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) { reused = ci.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", url, nil)
	if err != nil {
		return "", false, fmt.Errorf("check: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", false, fmt.Errorf("check: %w", err)
	}
	defer resp.Body.Close()
	head = formatHead(resp)
	if err := verify(resp, want); err != nil {
		return "", false, err
	}
	return head, reused, nil
}

// verify reads resp's body and compares status, framing and bytes.
func verify(resp *http.Response, want digest) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: status %s, want 200", errReply, resp.Status)
	}
	if len(resp.TransferEncoding) > 0 {
		return fmt.Errorf("%w: Transfer-Encoding %s, want a Content-Length", errReply, strings.Join(resp.TransferEncoding, ", "))
	}
	if resp.ContentLength != want.size {
		return fmt.Errorf("%w: Content-Length %d, want %d", errReply, resp.ContentLength, want.size)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		return fmt.Errorf("%w: body: %w", errReply, err)
	}
	if n != want.size {
		return fmt.Errorf("%w: body of %d bytes, want %d", errReply, n, want.size)
	}
	if !bytes.Equal(h.Sum(nil), want.sum[:]) {
		return fmt.Errorf("%w: body differs from the file (SHA-256)", errReply)
	}
	return nil
}

// formatHead renders resp's status line and fields, sorted by name.
func formatHead(resp *http.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}
