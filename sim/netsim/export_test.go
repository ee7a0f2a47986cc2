package netsim

// DisableFIFOClamp plants a bug for tests: the network stops clamping a
// delivery to the pair's last delivery, so messages may overtake.
func DisableFIFOClamp(n *Network) { n.fifoClampOff = true }
