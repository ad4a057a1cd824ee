"""The U-shape remark of Part II: does G3 make h̄'(+∞) − h̄'(−∞) positive (A), larger than without G3 (B), positive when h̄ ≥ 0 on
the support (C)? Random data (400 draws, seeds 0 and 1), the Galerkin oracle. python docs/width-limits/measure/ushape.py"""
import numpy as np
from oracles.convex.variational import solve_g123
from oracles.model.shallow import Uniform, TruncatedNormal
rng=np.random.default_rng(0)
cnt={"A":[0,0],"B":[0,0],"C":[0,0], "Bneg":[0,0]}
for it in range(400):
    Bv=rng.choice([1.0,2.0]); dens=Uniform(-Bv,Bv) if rng.random()<.5 else TruncatedNormal(rng.choice([.35,.5,1.])*Bv,-Bv,Bv)
    m=rng.integers(1,6); x=np.sort(rng.uniform(-0.95*Bv,0.95*Bv,m))
    if m>1 and np.min(np.diff(x))<0.05: continue
    r=rng.uniform(0.05,1,m)*(1 if rng.random()<.5 else -1)
    xe=np.linspace(-Bv,Bv,401)
    on=solve_g123(x,r,dens,xe).fine; off=solve_g123(x,r,dens,xe,g3=0.0).fine
    sm,sp=on.slopes; d_on=sp-sm; sm0,sp0=off.slopes; d_off=sp0-sm0
    sign=np.sign(r[0])
    cnt["A"][0]+=1; cnt["A"][1]+= (sign*d_on>0)
    cnt["B"][0]+=1; cnt["B"][1]+= (sign*(d_on-d_off)>0)
    hv=on(xe)
    if np.all(sign*hv>=0): cnt["C"][0]+=1; cnt["C"][1]+=(sign*d_on>0)
    if not (sign*d_on>0) and it<400: pass
print(cnt)
rng=np.random.default_rng(1); cb=[0,0]; shown=0
for it in range(400):
    Bv=rng.choice([1.0,2.0]); dens=Uniform(-Bv,Bv) if rng.random()<.5 else TruncatedNormal(rng.choice([.35,.5,1.])*Bv,-Bv,Bv)
    m=rng.integers(1,6); x=np.sort(rng.uniform(-0.95*Bv,0.95*Bv,m))
    if m>1 and np.min(np.diff(x))<0.05: continue
    r=rng.uniform(0.05,1,m)
    xe=np.linspace(-Bv,Bv,401)
    on=solve_g123(x,r,dens,xe).fine; off=solve_g123(x,r,dens,xe,g3=0.0).fine
    d_on=on.slopes[1]-on.slopes[0]; d_off=off.slopes[1]-off.slopes[0]
    if np.all(on(xe)>=0):
        cb[0]+=1; cb[1]+=(d_on>d_off)
        if d_on<=0 and shown<3:
            shown+=1; print(dens, x.round(3), r.round(3), "slopes", np.round(on.slopes,4), "off", np.round(off.slopes,4), "h(±B)", on(np.array([-Bv,Bv])).round(4))
print("C and B", cb)
