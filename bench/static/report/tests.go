package main

// ours is the subject whose medians the ratios divide.
const ours = "goevent"

// subject is one server in one test's table.
type subject struct{ name, title string }

// test is one workload and the subjects measured under it, in row order.
type test struct {
	name, title string
	subjects    []subject
	throughput  bool // MB/s is a headline figure (large file)
}

// tests in table order.
var tests = []test{
	{"file1k", "1 KiB file", []subject{
		{"goevent", "goevent evhttpd (-loops 1, -open-file-cache 60s)"},
		{"nginx", "nginx (sendfile, open_file_cache)"},
		{"gostd", "Go http.FileServer"},
	}, false},
	{"file1m", "1 MiB file", []subject{
		{"goevent", "goevent evhttpd (-loops 1, -open-file-cache 60s)"},
		{"nginx", "nginx (sendfile, open_file_cache)"},
		{"gostd", "Go http.FileServer"},
	}, true},
	{"proxy", "reverse proxy to nginx serving the 1 KiB file", []subject{
		{"goevent", "goevent evhttpd -proxy (-loops 1)"},
		{"nginx", "nginx proxy_pass (upstream keepalive)"},
		{"gostd", "Go httputil.ReverseProxy"},
	}, false},
}

// testByName returns the test called name, or nil.
func testByName(name string) *test {
	for i := range tests {
		if tests[i].name == name {
			return &tests[i]
		}
	}
	return nil
}
