-- wrk script: the benchmark's fixed mixed query set (same as Queries in Program.cs), percent-encoded, in turn.
-- Usage: wrk -t2 -c16 -d15s --latency -s bench/TechMarket.Listings.Bench/queries.lua http://127.0.0.1:5099
local paths = {
  "/api/v1/search?q=%E9%94%82%E7%94%B5%E6%B1%A0",  -- /api/v1/search?q=锂电池
  "/api/v1/search?q=%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0",  -- /api/v1/search?q=深度学习
  "/api/v1/search?q=%E6%9C%BA%E5%99%A8%E8%A7%86%E8%A7%89%20%E8%A3%85%E9%85%8D",  -- /api/v1/search?q=机器视觉 装配
  "/api/v1/search?q=battery",  -- /api/v1/search?q=battery
  "/api/v1/search?q=%E7%9F%B3%E5%A2%A8%E7%83%AF&field=NewMaterials",  -- /api/v1/search?q=石墨烯&field=NewMaterials
  "/api/v1/search?q=%E6%B1%A1%E6%B0%B4%E5%A4%84%E7%90%86&region=44,32",  -- /api/v1/search?q=污水处理&region=44,32
  "/api/v1/search?q=%E5%82%A8%E8%83%BD%E7%B3%BB%E7%BB%9F&type=Patent&sort=PriceAsc",  -- /api/v1/search?q=储能系统&type=Patent&sort=PriceAsc
  "/api/v1/search?q=%E6%97%A0%E4%BA%BA%E6%9C%BA&sort=Newest",  -- /api/v1/search?q=无人机&sort=Newest
  "/api/v1/search?q=%E5%9F%BA%E5%9B%A0%E7%BC%96%E8%BE%91%20%E7%96%AB%E8%8B%97",  -- /api/v1/search?q=基因编辑 疫苗
  "/api/v1/search?field=AdvancedManufacturing&price=From500KTo2M&page=2",  -- /api/v1/search?field=AdvancedManufacturing&price=From500KTo2M&page=2
  "/api/v1/search?q=PLC%E6%8E%A7%E5%88%B6",  -- /api/v1/search?q=PLC控制
  "/api/v1/search?q=%E5%85%89%E4%BC%8F%E7%BB%84%E4%BB%B6&mode=Transfer",  -- /api/v1/search?q=光伏组件&mode=Transfer
}
local i = 0
function setup(thread)
  thread:set("offset", i)
  i = i + 5
end
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", paths[((n + (offset or 0)) % #paths) + 1])
end
