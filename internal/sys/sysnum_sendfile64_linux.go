//go:build linux && (386 || arm || mips || mipsle || ppc)

package sys

import "golang.org/x/sys/unix"

// sysSendfile is sendfile(2) with a 64-bit offset: on 32-bit architectures
// plain sendfile takes a 32-bit off_t, so use sendfile64.
const sysSendfile = unix.SYS_SENDFILE64
