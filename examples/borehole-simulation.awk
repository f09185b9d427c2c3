# A cheap, biased "simulation" of the borehole function: its standard low-fidelity version
# (Xiong, Qian & Wu 2013), 5·Tu·(Hu − Hl) / (ln(r/rw)·(1.5 + 2·L·Tu/(ln(r/rw)·rw²·Kw) + Tu/Tl)).
# Reads a CSV design with a header (id,rw,r,Tu,Hu,Tl,Hl,L,Kw in any order), prints `id,flow`.
BEGIN { FS = ","; OFS = "," }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "id", "flow"; next }
{
    rw = $col["rw"]; r = $col["r"]; Tu = $col["Tu"]; Hu = $col["Hu"]
    Tl = $col["Tl"]; Hl = $col["Hl"]; L = $col["L"]; Kw = $col["Kw"]
    lnr = log(r / rw)
    flow = 5 * Tu * (Hu - Hl) / (lnr * (1.5 + 2 * L * Tu / (lnr * rw * rw * Kw) + Tu / Tl))
    printf "%s,%.10g\n", $col["id"], flow
}
