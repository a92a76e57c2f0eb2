package lake

// LeafColumns is leafColumns, for the tests of package lake_test.
var LeafColumns = leafColumns

// PartFile is partFile, the names of data files a rerun may replace.
var PartFile = partFile
