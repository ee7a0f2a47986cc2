package collector

import (
	"errors"
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestConfigDefaults checks the zero Config: TiCDC's numbers with redo
// off, and the main quota shrinking to what the redo share leaves.
func TestConfigDefaults(t *testing.T) {
	var c Config
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.MainQuotaBytes != GiB || c.RedoEnabled() || c.pathMaxBytes(c.MainQuotaBytes) != GiB/10 {
		t.Fatalf("zero config: main %d redo %v path max %d", c.MainQuotaBytes, c.RedoEnabled(), c.pathMaxBytes(c.MainQuotaBytes))
	}
	b := c.Breaker
	if b.Disabled || b.UsageHigh != 0.6 || b.NoDequeueFor != 5*sim.Second || b.HardLimit != 1.5 ||
		b.ReleaseShare != 0.6 || b.MinInterval != sim.Second || b.MinPathBytes != 256 {
		t.Fatalf("zero breaker: %+v", b)
	}
	if c.CongestionVersion != 2 || c.Aggregation != "max" || c.CongestionInterval != sim.Second {
		t.Fatalf("zero congestion: v%d %s %v", c.CongestionVersion, c.Aggregation, c.CongestionInterval)
	}
	main, redo := SplitQuota(DefaultChangefeedQuotaBytes, 50)
	c = Config{RedoQuotaBytes: redo}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.MainQuotaBytes != main || main != 512*MiB || c.pathMaxBytes(redo) != redo/10 {
		t.Fatalf("50 %% redo: main %d (split %d) redo %d", c.MainQuotaBytes, main, redo)
	}
	if c.pathMaxBytes(5*MiB) != MiB {
		t.Fatalf("path max of a 5 MiB area = %d, want the 1 MiB floor", c.pathMaxBytes(5*MiB))
	}
}

// TestConfigErrors checks that contradictions are rejected with ErrConfig.
func TestConfigErrors(t *testing.T) {
	bad := []Config{
		{MainQuotaBytes: -1},
		{RedoQuotaBytes: GiB},
		{CongestionVersion: 3},
		{Aggregation: "avg"},
		{HandleCost: -1},
		{Breaker: BreakerConfig{ReleaseShare: 1.5}},
		{Breaker: BreakerConfig{UsageHigh: -0.1}},
		{Breaker: BreakerConfig{MinPathBytes: -1}},
	}
	for i, c := range bad {
		if err := c.validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("config %d: err %v, want ErrConfig", i, err)
		}
	}
	if _, err := New(nil, nil, Config{}); err == nil {
		t.Errorf("New with a nil node: no error")
	}
}
