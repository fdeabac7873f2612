//go:build linux && !(386 || arm || mips || mipsle || ppc)

package sys

import "golang.org/x/sys/unix"

// sysSendfile is sendfile(2) with a 64-bit offset: plain sendfile on 64-bit
// architectures.
const sysSendfile = unix.SYS_SENDFILE
