package bufferevent

// This is the package's one file that uses unsafe.

import (
	"unsafe"

	"github.com/goevent/goevent/evbuffer"
)

// outputOffset is the offset of the output buffer in a BufferEvent.
const outputOffset = unsafe.Offsetof(BufferEvent{}.output)

// outputHook is the output's SetNotify hook. b is always &bev.output (the
// hook is set on no other buffer), so the BufferEvent is found from it
// without a closure per connection: the pointer arithmetic stays inside
// the one BufferEvent allocation. It saves the 72 B an AddCallback
// registration and a method value cost per idle connection.
func outputHook(b *evbuffer.Buffer, info evbuffer.CallbackInfo) {
	bev := (*BufferEvent)(unsafe.Add(unsafe.Pointer(b), -int(outputOffset)))
	bev.outputChanged(info)
}
