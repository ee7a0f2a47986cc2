package sim

import "testing"

// TestByteDigestSplits: any split of a byte sequence into written pieces
// and zero runs digests as DigestBytes of the whole.
func TestByteDigestSplits(t *testing.T) {
	b := make([]byte, 5000)
	for i := range b {
		if i%97 < 7 {
			b[i] = byte(i)
		}
	}
	want := DigestBytes(b)
	d := NewByteDigest()
	for i := 0; i < len(b); {
		j := i
		if b[i] == 0 {
			for j < len(b) && b[j] == 0 {
				j++
			}
			d.Zeros(int64(j - i))
		} else {
			for j < len(b) && b[j] != 0 {
				j++
			}
			d.Write(b[i:j])
		}
		i = j
	}
	if got := d.Sum(); got != want {
		t.Fatalf("split digest %x, whole %x", got, want)
	}
	if DigestBytes(nil) == DigestBytes([]byte{0}) {
		t.Fatal("a zero byte digests as no bytes")
	}
}
