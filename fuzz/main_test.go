package fuzz

import (
	"testing"

	"github.com/goevent/goevent/internal/basetest"
)

func TestMain(m *testing.M) { basetest.Main(m, "fuzz") }
