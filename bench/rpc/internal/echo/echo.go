// Package echo is the RPC every server of the RPC benchmark serves: Echo
// takes a string and an int and answers with the same string and the int
// plus one. The evtag types come from echo.rpc through cmd/evrpcgen; the
// C peer (libevent/evrpc_bench.c) encodes the same structs by hand, and
// net/rpc sends the same Go types with gob.
package echo

//go:generate go run github.com/goevent/goevent/cmd/evrpcgen -pkg echo -o zecho_rpc.go -rpc Echo=echo_req:echo_rep echo.rpc

import "fmt"

// Texts are the strings clients send, in turn: the C client sends the
// same ones in the same order.
var Texts = [...]string{
	"Hello, World!",
	"",
	"x",
	"a longer request text, of about a hundred bytes, to see that lengths past one byte work too..",
}

// Request returns the i-th request a client sends.
func Request(i uint32) EchoReq {
	return EchoReq{Text: Texts[i%uint32(len(Texts))], Num: i}
}

// Answer fills rep in answer to req: what every server does.
func Answer(req *EchoReq, rep *EchoRep) {
	rep.Text = req.Text
	rep.Num = req.Num + 1
}

// Check reports whether rep is the answer to req.
func Check(req *EchoReq, rep *EchoRep) error {
	if rep.Text != req.Text || rep.Num != req.Num+1 {
		return fmt.Errorf("echo: request (%q, %d) answered with (%q, %d)", req.Text, req.Num, rep.Text, rep.Num)
	}
	return nil
}

// Service is the net/rpc form of the RPC: registered with rpc.Register,
// it is the method NetRPCMethod.
type Service struct{}

// NetRPCMethod is the net/rpc name of Service.Echo.
const NetRPCMethod = "Service.Echo"

// Echo answers req as Answer does.
func (Service) Echo(req *EchoReq, rep *EchoRep) error {
	Answer(req, rep)
	return nil
}
