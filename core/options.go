package core

import "time"

// Option configures NewBase.
type Option func(*config)

type config struct {
	backend     string
	avoid       map[string]bool
	priorities  int
	maxCallback int
	maxInterval time.Duration
	minPriority int
	clock       Clock
}

// Clock is a source of time for a Base. Now must be monotonic: it never
// goes backwards. The default uses the runtime's monotonic clock.
type Clock interface {
	Now() time.Time
}

// WithBackend requires the named backend ("epoll", "kqueue", "poll" or
// "select"). NewBase fails with ErrBackendUnavailable if it does not exist
// on this system.
func WithBackend(name string) Option {
	return func(c *config) { c.backend = name }
}

// WithoutBackend avoids the named backend, like libevent's
// event_config_avoid_method. It may be given several times.
func WithoutBackend(name string) Option {
	return func(c *config) {
		if c.avoid == nil {
			c.avoid = make(map[string]bool)
		}
		c.avoid[name] = true
	}
}

// WithPriorities sets the number of priority levels (1 to 256; default 1).
// New events get priority n/2. Lower numbers run first.
func WithPriorities(n int) Option {
	return func(c *config) { c.priorities = n }
}

// WithMaxDispatch bounds how long the loop runs callbacks of priority
// minPriority or higher numbers before it polls again: after maxCallbacks
// callbacks (0: no bound) or after interval (0: no bound). Like libevent's
// event_config_set_max_dispatch_interval, it keeps a flood of low-priority
// work from delaying new I/O.
func WithMaxDispatch(interval time.Duration, maxCallbacks, minPriority int) Option {
	return func(c *config) {
		c.maxInterval, c.maxCallback, c.minPriority = interval, maxCallbacks, minPriority
	}
}

// WithClock makes the Base read time from clk. Meant for tests: with a
// manual clock the loop's poll timeout follows clk too, so a test that
// advances its clock must also wake the loop (Post, or LoopNonblock).
func WithClock(clk Clock) Option {
	return func(c *config) { c.clock = clk }
}
