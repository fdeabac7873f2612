package serve

import (
	"os"

	"github.com/goevent/goevent/core"
)

// Loop runs one core.Base until SIGTERM or SIGINT breaks its loop,
// profiling the CPU into cpuprofile when it is not empty. setup puts the
// server on the base and returns extra key=value facts for the Describe
// line, which Loop prints before it dispatches.
func Loop(cpuprofile string, setup func(base *core.Base) (extra string, err error)) error {
	stopProfile, err := StartProfile(cpuprofile)
	if err != nil {
		return err
	}
	base, err := core.NewBase()
	if err != nil {
		return err
	}
	defer base.Close()
	extra, err := setup(base)
	if err != nil {
		return err
	}
	if err := Describe(os.Stdout, extra); err != nil {
		return err
	}
	OnStop(func() { base.LoopBreak() })
	if err := base.Dispatch(); err != nil {
		return err
	}
	return stopProfile()
}
