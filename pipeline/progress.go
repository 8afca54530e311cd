package pipeline

// Stage is where one image of one platform is in the run.
type Stage string

const (
	StageCompiling Stage = "compiling"
	StageCached    Stage = "cached"
	StageLayered   Stage = "layered"
	StagePushing   Stage = "pushing"
	StageDone      Stage = "done"
)

// Event reports progress for a live display; Done and Total count bytes
// while pushing.
type Event struct {
	Image, Platform string
	Stage           Stage
	Done, Total     int64
}

func (o Options) report(e Event) {
	if o.Progress != nil {
		o.Progress(e)
	}
}
