package reach

// What the external tests (package reach_test, which use a real store)
// look at inside the package.

// WriterOf returns r's Writer: nil when r commits each click on its own.
func WriterOf(r *Recorder) *Writer { return r.writer }

// Queued is how many clicks wait in w's queue to be picked up.
func Queued(w *Writer) int { return len(w.in) }

// RecordClick queues h on w and waits for its commit, as Recorder.Record
// does with a click it has classified.
func RecordClick(w *Writer, h Hit) error { return w.record(h.LinkID, h.At, h.Kind, h.Visitor) }
