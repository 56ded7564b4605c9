// Package evidence is Custodia's ingest pipeline. It reads raw (dd) disk
// images, split raw images (.001, .000, .00, .aa, …; see split.go), E01
// images and virtual disks (VHD, VHDX, VMDK, QCOW2) as the media they hold,
// block devices (read-only), log files and folders of logs, and memory
// dumps; hashes every byte with MD5,
// SHA-1 and SHA-256 in one read; and seals the content into the case in
// compressed, encrypted chunks, verifying each chunk after sealing. It also
// verifies items against their recorded hashes, extracts their exact bytes,
// and serves random-access reads to viewers.
//
// Terms: a source is what an examiner names (a file, a folder, a device);
// an item is one piece of evidence in the case; a chunk is the unit of
// compression, sealing and random access (casefile.DefaultChunkSize).
// Long work reports through Progress and stops when its context is
// cancelled, rolling back the item in progress.
//
// Like casefile and reports, it imports no Fyne package and builds with
// CGO_ENABLED=0. E01 (Expert Witness) images are read as the media they
// hold, through the subpackage ewf (see e01.go for how they are recorded),
// and virtual disks through vdisk (see vdisk.go).
package evidence
