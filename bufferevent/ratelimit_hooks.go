package bufferevent

// The calls the I/O paths make into rate limiting (ratelimit.go). Each
// does nothing, or allows everything, when the BufferEvent is unlimited.

// readAllowance returns how many of want bytes may be read now.
func (bev *BufferEvent) readAllowance(want int) int {
	if bev.rl == nil {
		return want
	}
	return bev.rl.readAllowance(want)
}

// writeAllowance returns how many of want bytes may be written now.
func (bev *BufferEvent) writeAllowance(want int) int {
	if bev.rl == nil {
		return want
	}
	return bev.rl.writeAllowance(want)
}

// consumedRead charges n bytes read.
func (bev *BufferEvent) consumedRead(n int) {
	if bev.rl != nil {
		bev.rl.consumedRead(n)
	}
}

// consumedWrite charges n bytes written.
func (bev *BufferEvent) consumedWrite(n int) {
	if bev.rl != nil {
		bev.rl.consumedWrite(n)
	}
}
