package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/goevent/goevent/internal/privdrop"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/cmd/evhttpd/internal/proxy"
	"github.com/goevent/goevent/cmd/evhttpd/internal/static"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/ssl"
)

// Exit statuses.
const (
	exitOK      = 0
	exitRuntime = 1
	exitStartup = 2
)

// daemon is a running evhttpd: what startup built and shutdown tears down.
type daemon struct {
	cfg     *config
	log     *slog.Logger
	loops   *core.Loops
	srv     *evhttp.Server
	files   *static.Handler
	proxy   *proxy.Proxy // nil without -proxy
	certs   *certStore   // nil without TLS
	access  *accessLog   // nil without -access-log
	stats   stats
	sockets []*evhttp.BoundSocket
}

// run is evhttpd's main: it returns the exit status.
func run(args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "evhttpd: %v\n", err)
		return exitStartup
	}
	d, err := start(cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		fmt.Fprintf(stderr, "evhttpd: %v\n", oneLine(err))
		return exitStartup
	}
	return d.serve()
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// start builds the daemon: root, certificate, log, loops, server,
// listeners; then drops privileges. On error everything built is closed.
func start(cfg *config, log *slog.Logger) (*daemon, error) {
	d := &daemon{cfg: cfg, log: log}
	if err := d.start(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// start does start's work on d.
func (d *daemon) start() error {
	cfg, log := d.cfg, d.log
	var cred privdrop.Credentials
	if cfg.user != "" {
		c, err := privdrop.LookupUser(cfg.user)
		if err != nil {
			return err
		}
		cred = c
	}
	root, err := filepath.Abs(cfg.root)
	if err != nil {
		return fmt.Errorf("root: %w", err)
	}
	d.files, err = static.New(static.Config{
		Root:       root,
		Index:      cfg.indexNames(),
		ListDirs:   cfg.listDirs,
		Logger:     log,
		CacheValid: cfg.fileCache,
	})
	if err != nil {
		return err
	}
	if cfg.tlsCert != "" {
		if d.certs, err = newCertStore(cfg.tlsCert, cfg.tlsKey); err != nil {
			return err
		}
	}
	if cfg.accessLog != "" {
		if d.access, err = openAccessLog(cfg.accessLog); err != nil {
			return err
		}
	}
	if d.loops, err = core.NewLoops(cfg.loops); err != nil {
		return fmt.Errorf("event loops: %w", err)
	}
	scfg := &evhttp.Config{
		MaxHeaderBytes: cfg.maxHeader,
		MaxBodySize:    cfg.maxBody,
		HeaderTimeout:  cfg.timeout,
		IdleTimeout:    cfg.timeout,
	}
	if cfg.gzip {
		scfg.Compress = &evhttp.CompressConfig{}
	}
	d.srv = evhttp.NewOnLoops(d.loops, scfg)
	if len(cfg.routes) > 0 {
		table, err := proxy.NewTable(cfg.routes)
		if err != nil {
			return err
		}
		d.proxy = proxy.New(proxy.Config{
			Routes:              table,
			Timeout:             cfg.timeout,
			MaxConnsPerUpstream: cfg.upConns,
			MaxHeaderBytes:      cfg.maxHeader,
			HTTPS:               d.certs != nil,
			Logger:              log,
		})
		for _, rt := range cfg.routes {
			log.Info("proxying", "prefix", rt.Prefix, "upstream", rt.Upstream())
		}
	}
	if err := d.routes(); err != nil {
		return err
	}
	d.srv.SetBevCallback(d.newBufferEvent)
	if err := d.listen(); err != nil {
		return err
	}
	var addrs []string
	for _, bs := range d.sockets {
		a := bs.Addr()
		addr := a.String()
		if a.Network() == "unix" {
			addr = "unix:" + addr
		}
		addrs = append(addrs, addr)
		log.Info("listening", "addr", addr, "tls", d.certs != nil, "root", root, "loops", cfg.loops)
	}
	if cfg.readyFile != "" { // before dropping privileges: its directory may need them
		if err := writeReadyFile(cfg.readyFile, addrs); err != nil {
			return err
		}
	}
	if cfg.user != "" {
		if err := cred.Apply(); err != nil {
			if cfg.readyFile != "" {
				os.Remove(cfg.readyFile)
			}
			return err
		}
		log.Info("privileges dropped", "user", cfg.user)
	}
	return nil
}

// routes installs the handlers: -status, the -proxy prefixes, and the
// files for every other path. Every method RFC 9110 names reaches the
// handler; the file handler answers those it does not serve 405 (and logs
// them); unknown ones get 501 from the Server. With -proxy the catch-all
// route streams request bodies (the proxy forwards them as they arrive;
// the file handler reads none).
func (d *daemon) routes() error {
	err := d.srv.SetAllowedMethods("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
	if err != nil {
		return err
	}
	if d.cfg.status != "" {
		err := d.srv.SetCallback(d.cfg.status, func(r *evhttp.Request) {
			e := d.entry(r)
			code, n := d.stats.serveStatus(r, d.srv, d.proxy)
			d.done(e, code, n)
		})
		if err != nil {
			return err
		}
	}
	d.srv.SetGenCallbackWith(func(r *evhttp.Request) {
		e := d.entry(r)
		if d.proxy != nil {
			if rt := d.proxy.Match(r.Path()); rt != nil {
				d.proxy.Serve(r, rt, func(res proxy.Result) { d.done(e, res.Code, res.Bytes) })
				return
			}
		}
		res := d.files.Serve(r)
		d.done(e, res.Code, res.Bytes)
	}, evhttp.RouteOptions{StreamBody: d.proxy != nil})
	return nil
}

// entry captures what the access log needs before the reply.
func (d *daemon) entry(r *evhttp.Request) entry {
	if d.access == nil {
		return entry{}
	}
	return newEntry(r)
}

// done counts and logs an answered request.
func (d *daemon) done(e entry, code int, n int64) {
	d.stats.record(code, n)
	if d.access != nil {
		d.access.write(e, code, n, time.Now())
	}
}

// newBufferEvent makes each accepted connection's BufferEvent (TLS when
// configured) and counts it.
func (d *daemon) newBufferEvent(base *core.Base, fd int) (*bufferevent.BufferEvent, error) {
	var bev *bufferevent.BufferEvent
	var err error
	if d.certs != nil {
		bev, err = ssl.NewServer(base, fd, d.certs.config(), bufferevent.CloseOnFree)
	} else {
		bev, err = bufferevent.NewSocket(base, fd, bufferevent.CloseOnFree)
	}
	if err != nil {
		syscall.Close(fd) // a BevFunc owns fd, also when it fails
		return nil, err
	}
	d.stats.connections.Add(1)
	return bev, nil
}

// listen serves the sockets systemd passed and the -listen addresses
// (127.0.0.1:8080 when there are neither).
func (d *daemon) listen() error {
	act, err := activatedListeners(d.srv)
	d.sockets = append(d.sockets, act...)
	if err != nil {
		return err
	}
	addrs := d.cfg.listen
	if len(addrs) == 0 && len(act) == 0 {
		addrs = []string{defaultListen}
	}
	for _, a := range addrs {
		bs, err := d.srv.Bind(a)
		if err != nil {
			return fmt.Errorf("listen %s: %w", a, errors.Unwrap(err))
		}
		d.sockets = append(d.sockets, bs)
	}
	return nil
}

// writeReadyFile writes the bound addresses, one a line, atomically.
func writeReadyFile(path string, addrs []string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(addrs, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}

// serve waits for signals: SIGHUP reloads, SIGTERM and SIGINT shut down.
func (d *daemon) serve() int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			d.reload()
			continue
		}
		d.log.Info("shutting down", "signal", sig.String(), "grace", d.cfg.grace)
		<-d.srv.Shutdown(d.cfg.grace)
		if err := d.close(); err != nil {
			d.log.Error("shutdown", "err", err)
			return exitRuntime
		}
		d.log.Info("stopped")
		return exitOK
	}
	return exitOK
}

// reload reopens the access log and reloads the certificate; a failure
// is logged and the old one kept.
func (d *daemon) reload() {
	if d.access != nil {
		if err := d.access.reopen(); err != nil {
			d.log.Error("reopen access log", "err", err)
		} else {
			d.log.Info("access log reopened", "path", d.cfg.accessLog)
		}
	}
	if d.certs != nil {
		if err := d.certs.reload(); err != nil {
			d.log.Error("reload certificate", "err", err)
		} else {
			d.log.Info("certificate reloaded", "cert", d.cfg.tlsCert)
		}
	}
}

// close stops the loops and closes what start opened.
func (d *daemon) close() error {
	var errs []error
	if d.srv != nil {
		<-d.srv.Shutdown(0)
	}
	if d.proxy != nil {
		d.proxy.Close()
	}
	if d.loops != nil {
		errs = append(errs, d.loops.Close())
	}
	if d.files != nil {
		errs = append(errs, d.files.Close())
	}
	if d.access != nil {
		errs = append(errs, d.access.Close())
	}
	return errors.Join(errs...)
}
