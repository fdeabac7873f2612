package evhttp_test

import (
	"fmt"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

// An echo server and a client on one loop: the client sends a message,
// prints the echo and closes; the server sees the close handshake.
func ExampleUpgrade() {
	base, _ := core.NewBase()
	defer base.Close()
	srv := evhttp.New(base, nil)
	srv.SetCallback("/echo", func(r *evhttp.Request) {
		ws, err := evhttp.Upgrade(r, nil)
		if err != nil {
			return // Upgrade answered the request with an error status
		}
		ws.OnMessage(func(ws *evhttp.WSConn, op evhttp.Opcode, msg *evbuffer.Buffer) {
			ws.SendMessage(op, msg) // moves the bytes back out
		})
		ws.OnClose(func(ws *evhttp.WSConn, code int, reason string) {
			fmt.Println("server: closed", code, reason)
			srv.Shutdown(0)
		})
	})
	bs, _ := srv.Bind("127.0.0.1:0")

	evhttp.DialWebSocket(base, "ws://"+bs.Addr().String()+"/echo", nil, func(ws *evhttp.WSConn, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ws.OnMessage(func(ws *evhttp.WSConn, op evhttp.Opcode, msg *evbuffer.Buffer) {
			b := make([]byte, msg.Len())
			msg.Remove(b)
			fmt.Printf("client: %v %s\n", op, b)
			ws.Close(evhttp.CloseNormal, "bye")
		})
		ws.SendText("hello")
	})
	base.Dispatch()
	// Output:
	// client: Text hello
	// server: closed 1000 bye
}
