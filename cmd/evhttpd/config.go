package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/goevent/goevent/cmd/evhttpd/internal/proxy"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// config is evhttpd's configuration, from its flags.
type config struct {
	listen    listFlag
	root      string
	proxy     listFlag
	gzip      bool
	tlsCert   string
	tlsKey    string
	loops     int
	index     string
	listDirs  bool
	fileCache time.Duration
	maxBody   int64
	maxHeader int
	accessLog string
	timeout   time.Duration
	upConns   int
	status    string
	user      string
	grace     time.Duration
	readyFile string
	routes    []*proxy.Route // parsed -proxy
}

// defaultListen is the address served when neither -listen nor socket
// activation gives one.
const defaultListen = "127.0.0.1:8080"

// parseFlags parses args. It returns flag.ErrHelp after printing the
// usage to out for -h, and an error saying what is wrong otherwise.
func parseFlags(args []string, out io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("evhttpd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&c.listen, "listen", "listen on `ADDR`: host:port or unix:/path; repeatable (default "+defaultListen+", or the sockets systemd passes)")
	fs.StringVar(&c.root, "root", ".", "serve the files under `DIR`")
	fs.Var(&c.proxy, "proxy", "proxy the requests under `PREFIX=URL`: paths starting with PREFIX go to URL (http://host[:port], https://host[:port] or unix:/path), PREFIX kept; repeatable, the longest prefix wins")
	fs.BoolVar(&c.gzip, "gzip", false, "compress compressible responses (text, JSON, JS, SVG... from 1 KiB to 8 MiB) for clients accepting gzip")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "certificate chain `FILE` (PEM): serve HTTPS on every listener")
	fs.StringVar(&c.tlsKey, "tls-key", "", "private key `FILE` (PEM) of -tls-cert")
	fs.IntVar(&c.loops, "loops", runtime.NumCPU(), "number of event loops")
	fs.StringVar(&c.index, "index", "index.html", "comma-separated index file `NAMES` tried for a directory")
	fs.DurationVar(&c.fileCache, "open-file-cache", 0, "keep files open, with their metadata and (up to 16 KiB) their bytes, and remember missing names, for `DURATION` after looking (like nginx's open_file_cache_valid); changes to the tree may take that long to show (default 0: off)")
	fs.BoolVar(&c.listDirs, "list-dirs", false, "HTML listings of directories without an index (else 403)")
	fs.Int64Var(&c.maxBody, "max-body", 16<<20, "largest request body in `BYTES` (413 beyond), proxied requests included")
	fs.IntVar(&c.maxHeader, "max-header", 64<<10, "largest request header section in `BYTES` (431 beyond)")
	fs.StringVar(&c.accessLog, "access-log", "", "access log `FILE` in the combined format, \"-\" for stdout (default none)")
	fs.IntVar(&c.upConns, "upstream-conns", 64, "connections to each -proxy upstream per loop, `N` at most, all kept alive when idle; requests beyond them wait for one")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "header read, idle keep-alive and upstream connect/response timeout (Go `DURATION`, e.g. 3s)")
	fs.StringVar(&c.status, "status", "", "serve JSON counters at `PATH` (e.g. /.status)")
	fs.StringVar(&c.user, "user", "", "drop privileges to user `NAME` after binding")
	fs.DurationVar(&c.grace, "grace", 10*time.Second, "how long requests in progress may take to finish on SIGTERM")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the bound addresses, one a line, to `FILE` once serving")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "Usage: evhttpd [flags]\n\nServes the files of -root over HTTP (or HTTPS with -tls-cert and -tls-key),\nand forwards the paths given with -proxy to upstream servers.\n\n")
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.check()
}

// check validates the values flag parsing cannot.
func (c *config) check() error {
	switch {
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return errors.New("-tls-cert and -tls-key go together")
	case c.loops < 1:
		return errors.New("-loops must be at least 1")
	case c.upConns < 1:
		return errors.New("-upstream-conns must be at least 1")
	case c.maxBody < 1:
		return errors.New("-max-body must be positive")
	case c.maxHeader < 1:
		return errors.New("-max-header must be positive")
	case c.timeout <= 0:
		return errors.New("-timeout must be positive")
	case c.fileCache < 0:
		return errors.New("-open-file-cache must not be negative")
	case c.grace < 0:
		return errors.New("-grace must not be negative")
	case c.status != "" && !strings.HasPrefix(c.status, "/"):
		return errors.New("-status must be a path starting with /")
	}
	for _, p := range c.proxy {
		rt, err := proxy.ParseRoute(p)
		if err != nil {
			return fmt.Errorf("-proxy: %w", err)
		}
		c.routes = append(c.routes, rt)
	}
	if _, err := proxy.NewTable(c.routes); err != nil {
		return fmt.Errorf("-proxy: %w", err)
	}
	for _, a := range c.listen {
		if a == "" || a == "unix:" {
			return errors.New("empty -listen address")
		}
	}
	for _, n := range c.indexNames() {
		if n == "" || strings.ContainsAny(n, "/\\") || n == "." || n == ".." {
			return fmt.Errorf("bad -index name %q", n)
		}
	}
	return nil
}

// indexNames splits -index.
func (c *config) indexNames() []string {
	if c.index == "" {
		return []string{}
	}
	return strings.Split(c.index, ",")
}
