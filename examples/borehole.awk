# Evaluates the borehole function on a CSV design with a header (id,rw,r,Tu,Hu,Tl,Hl,L,Kw in any order)
# and prints `id,flow` — the results file `doe observe --results` reads.
BEGIN { FS = ","; OFS = ","; pi = 3.141592653589793 }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print "id", "flow"; next }
{
    rw = $col["rw"]; r = $col["r"]; Tu = $col["Tu"]; Hu = $col["Hu"]
    Tl = $col["Tl"]; Hl = $col["Hl"]; L = $col["L"]; Kw = $col["Kw"]
    lnr = log(r / rw)
    flow = 2 * pi * Tu * (Hu - Hl) / (lnr * (1 + 2 * L * Tu / (lnr * rw * rw * Kw) + Tu / Tl))
    printf "%s,%.10g\n", $col["id"], flow
}
