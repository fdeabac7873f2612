package evhttp_test

import (
	"errors"
	"fmt"

	"github.com/goevent/goevent/evhttp"
)

func ExampleParseURI() {
	u, err := evhttp.ParseURI("http://user@[::1]:8080/a%20b?q=go+event#top", evhttp.URIHostStripBrackets)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("scheme=%s userinfo=%s host=%s port=%d\n", u.Scheme, u.Userinfo, u.Host, u.Port)
	fmt.Printf("path=%s decoded=%q query=%s fragment=%s\n", u.Path, evhttp.DecodePath(u.Path), u.Query, u.Fragment)
	fmt.Println(u)

	// An origin-form request target: no scheme, no authority.
	u, _ = evhttp.ParseURI("/search?q=1", 0)
	fmt.Printf("path=%s query=%s port=%d\n", u.Path, u.Query, u.Port)

	// A Unix-domain socket authority.
	u, _ = evhttp.ParseURI("http://unix:/run/app.sock:/status", evhttp.URIUnixSocket)
	fmt.Printf("socket=%s path=%s\n", u.UnixSocket, u.Path)

	_, err = evhttp.ParseURI("http://example.com:99999/", 0)
	fmt.Println(errors.Is(err, evhttp.ErrURI), err)
	// Output:
	// scheme=http userinfo=user host=::1 port=8080
	// path=/a%20b decoded="/a b" query=q=go+event fragment=top
	// http://user@[::1]:8080/a%20b?q=go+event#top
	// path=/search query=q=1 port=-1
	// socket=/run/app.sock path=/status
	// true evhttp: malformed URI: port out of range at offset 19
}

func ExampleDecodeQuery() {
	q, err := evhttp.DecodeQuery("q=test&s=some+thing&tag=a&tag=b%26c", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Get("s"), q.Values("tag"), q.Has("missing"))

	// Strict mode rejects a parameter without "="; nonconformant keeps it.
	_, err = evhttp.DecodeQuery("q=test&flag", 0)
	fmt.Println(errors.Is(err, evhttp.ErrQuery))
	q, _ = evhttp.DecodeQuery("q=test&flag", evhttp.QueryNonConformant)
	fmt.Printf("%q\n", q)

	// Only the last of repeated names.
	q, _ = evhttp.DecodeQuery("page=1&page=2", evhttp.QueryLastVal)
	fmt.Println(q.Get("page"))
	// Output:
	// some thing [a b&c] false
	// true
	// [{"q" "test"} {"flag" ""}]
	// 2
}

func ExampleEncodeURIComponent() {
	fmt.Println(evhttp.EncodeURIComponent("a b/c?d=é", false))
	fmt.Println(evhttp.EncodeURIComponent("a b", true))
	fmt.Println(evhttp.DecodeURIComponent("a+b%2Fc%zz", true))
	fmt.Println(evhttp.HTMLEscape(`<a href="x">'&'</a>`))
	// Output:
	// a%20b%2Fc%3Fd%3D%C3%A9
	// a+b
	// a b/c%zz
	// &lt;a href=&quot;x&quot;&gt;&#039;&amp;&#039;&lt;/a&gt;
}
