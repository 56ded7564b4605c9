package casefile

// Test actions of this package's tests.
var _ = RegisterActions(map[Action]Permission{
	"test.filled": PermInvestigate, "test.odd": PermInvestigate, "test.granted": PermManageExaminers,
})
